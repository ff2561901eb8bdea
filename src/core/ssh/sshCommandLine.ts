import type { Machine } from '../machines/machine';
import { shellCommand } from '../util/remoteShell';
import { PASSED_OPTIONS } from './sshSession';

/**
 * argv for an interactive `ssh` to a machine (a terminal, not a session of
 * ours): the same endpoint, key and host-key checking as SshSession, with a
 * tty. `remoteCommand` is an argv, quoted here for the remote shell. For
 * machines whose keys are pinned, the key must already be pinned in
 * `pinnedKnownHostsFile`: ssh refuses any other.
 */
export function sshCommandLine(machine: Machine, pinnedKnownHostsFile: string, remoteCommand?: readonly string[]): string[] {
  const { ssh } = machine;
  const args = ['-t'];
  if (ssh.port) args.push('-p', String(ssh.port));
  if (ssh.user) args.push('-l', ssh.user);
  if (ssh.identityFile) args.push('-i', ssh.identityFile, '-o', 'IdentitiesOnly=yes');
  if (ssh.hostKeys === 'pinned') {
    args.push('-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${pinnedKnownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no');
  }
  for (const [k, v] of Object.entries(ssh.options ?? {})) if (PASSED_OPTIONS.has(k.toLowerCase())) args.push('-o', `${k}=${v}`);
  // `--` so the destination can never be read as an option.
  args.push('--', ssh.host);
  if (remoteCommand?.length) args.push(shellCommand(remoteCommand));
  return args;
}
