import { spawn } from 'child_process';
import * as http from 'http';
import { Duplex, PassThrough } from 'stream';

/** `ssh://[user@]host[:port]` split into ssh(1) arguments. */
export function sshArgsFor(host: string): string[] {
  const url = new URL(host);
  if (url.protocol !== 'ssh:') throw new Error(`not an ssh:// host: ${host}`);
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') throw new Error(`ssh:// host must not have a path: ${host}`);
  const args: string[] = [];
  if (url.username) args.push('-l', decodeURIComponent(url.username));
  if (url.port) args.push('-p', url.port);
  // `--` so a host name can never be read as an option.
  args.push('-o', 'ConnectTimeout=30', '-T', '--', url.hostname.replace(/^\[|\]$/g, ''), 'docker', 'system', 'dial-stdio');
  return args;
}

/**
 * Reaches an engine over `ssh://` the way the docker CLI does: the system
 * ssh client (so ~/.ssh/config, agents and known_hosts apply, and host keys
 * are verified by ssh itself) running `docker system dial-stdio` remotely,
 * one ssh process per HTTP connection.
 */
export class SshDialAgent extends http.Agent {
  constructor(private readonly host: string, private readonly sshBinary = 'ssh', private readonly env?: NodeJS.ProcessEnv) {
    super({ keepAlive: false });
  }

  override createConnection(): Duplex {
    const child = spawn(this.sshBinary, sshArgsFor(this.host), { stdio: ['pipe', 'pipe', 'pipe'], env: this.env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4096)));
    // End the readable side only once ssh has exited, so a failed login
    // surfaces as ssh's own message rather than a bare "socket hang up".
    const readable = new PassThrough();
    child.stdout.pipe(readable, { end: false });
    const socket = Duplex.from({ readable, writable: child.stdin });
    child.on('close', (code) => {
      if (code) socket.destroy(new Error(`ssh to ${this.host} failed (exit ${code}): ${stderr.trim() || 'no message'}`));
      else readable.end();
    });
    child.on('error', (e) => socket.destroy(new Error(`cannot run ${this.sshBinary} for ${this.host}: ${e.message}`)));
    socket.on('close', () => child.kill());
    // http.Agent expects socket-ish methods.
    Object.assign(socket, { setKeepAlive: () => socket, setNoDelay: () => socket, setTimeout: () => socket, ref: () => socket, unref: () => socket });
    return socket;
  }
}
