import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Daemon, freePort, readBanner, run, startDaemon, waitUntil } from './processes';

/** An OpenSSH server on 127.0.0.1 with generated host and user keys. */
export interface SshServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  /** Private key accepted for `user`. */
  readonly identityFile: string;
  /** A known_hosts file holding this server's real host key. */
  readonly knownHostsFile: string;
  /** The host key line, `ssh-ed25519 AAAA…`. */
  readonly hostPublicKey: string;
  readonly daemon: Daemon;
  /**
   * A directory holding an `ssh` wrapper that reaches this server as host
   * alias `rig-ssh` (identity, port and known_hosts from its own config). Put
   * it first on PATH for programs that run `ssh` themselves, like the docker
   * CLI for ssh:// hosts: OpenSSH reads the passwd home, not $HOME.
   */
  readonly clientBinDir: string;
  /** argv for `ssh` reaching this server with strict host key checking. */
  sshArgs(...remoteCommand: string[]): string[];
  stop(): Promise<void>;
}

/**
 * Inside sshd's own mount namespace: an empty /run holding just /run/sshd,
 * a small tmpfs where asked (a full disk, as sessions see it), then sshd.
 */
const SSHD_ENTRY = 'mount="$1"; small="$2"; shift 2; "$mount" -t tmpfs -o mode=0755,nosuid,nodev dfw-sshd-run /run && mkdir -m 0755 /run/sshd && if [ -n "$small" ]; then mkdir -p "$small" && "$mount" -t tmpfs -o size=16m dfw-sshd-small "$small"; fi && exec "$@"';

/** `userEnvironment` is set for every session (authorized_keys environment=). */
/**
 * `smallDisk`: a folder that sessions see as a 16 MiB tmpfs (in sshd's own
 * mount namespace; the test reads it through /proc/PID/root).
 */
export async function startSshServer(root: string, tools: { sshd: string; sshKeygen: string; ssh: string; unshare?: string; mount?: string }, userEnvironment: Record<string, string> = {}, smallDisk?: string): Promise<SshServer> {
  const dir = path.join(root, 'sshd');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const identityFile = path.join(dir, 'id_ed25519');
  await run(tools.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'dfw-rig-host', '-f', hostKey]);
  await run(tools.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'dfw-rig-user', '-f', identityFile]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  const env = Object.entries(userEnvironment).map(([k, v]) => `environment="${k}=${v}"`).join(',');
  fs.writeFileSync(authorizedKeys, (env ? `${env} ` : '') + fs.readFileSync(`${identityFile}.pub`, 'utf8'));
  const port = await freePort();
  const user = os.userInfo().username;
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${user}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The key files live in a temp dir that sshd's ownership checks would reject.
      'StrictModes no',
      `PermitUserEnvironment ${Object.keys(userEnvironment).join(',') || 'no'}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const sshdArgs = ['-D', '-e', '-f', config];
  const daemon =
    process.getuid?.() === 0 && tools.unshare && tools.mount
      ? // sshd as root needs its privilege separation dir, /run/sshd (a
        // compiled-in path): in a mount namespace of its own with an empty
        // /run it gets one without creating anything in the host's /run.
        startDaemon('sshd', tools.unshare, ['--mount', '--propagation', 'private', '--', 'sh', '-c', SSHD_ENTRY, 'dfw-sshd-ns', tools.mount, smallDisk ?? '', tools.sshd, ...sshdArgs], path.join(dir, 'sshd.log'))
      : startDaemon('sshd', tools.sshd, sshdArgs, path.join(dir, 'sshd.log'));
  try {
    await waitUntil(`SSH on 127.0.0.1:${port}`, async () => (await readBanner(port)).startsWith('SSH-2.0-'), daemon, 30_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  const hostPublicKey = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHostsFile = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const clientConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    clientConfig,
    ['Host rig-ssh', '  HostName 127.0.0.1', `  Port ${port}`, `  User ${user}`, `  IdentityFile ${identityFile}`, '  IdentitiesOnly yes', '  BatchMode yes', '  StrictHostKeyChecking yes', `  UserKnownHostsFile ${knownHostsFile}`, ''].join('\n'),
  );
  const clientBinDir = path.join(dir, 'bin');
  fs.mkdirSync(clientBinDir);
  fs.writeFileSync(path.join(clientBinDir, 'ssh'), `#!/bin/sh\nexec '${tools.ssh}' -F '${clientConfig}' "$@"\n`, { mode: 0o755 });
  return {
    host: '127.0.0.1',
    port,
    user,
    identityFile,
    knownHostsFile,
    hostPublicKey,
    daemon,
    clientBinDir,
    sshArgs: (...remoteCommand) => [
      '-F', '/dev/null',
      '-i', identityFile,
      '-p', String(port),
      '-o', 'IdentitiesOnly=yes',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${knownHostsFile}`,
      `${user}@127.0.0.1`,
      ...remoteCommand,
    ],
    stop: () => daemon.stop(),
  };
}
