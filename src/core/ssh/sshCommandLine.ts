import type { Machine } from '../machines/machine';
import { shellCommand } from '../util/remoteShell';
import { endpointArgs } from './sshSession';

/**
 * argv for an interactive `ssh` to a machine (a terminal, not a session of
 * ours): the same endpoint, key and host-key checking as SshSession, with a
 * tty. `remoteCommand` is an argv, quoted here for the remote shell. For
 * machines whose keys are pinned, the key must already be pinned in
 * `pinnedKnownHostsFile`: ssh refuses any other.
 */
export function sshCommandLine(machine: Machine, pinnedKnownHostsFile: string, remoteCommand?: readonly string[]): string[] {
  // `--` so the destination can never be read as an option.
  const args = ['-t', ...endpointArgs(machine, pinnedKnownHostsFile), '--', machine.ssh.host];
  if (remoteCommand?.length) args.push(shellCommand(remoteCommand));
  return args;
}
