import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as http from 'http';
import { Duplex } from 'stream';

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
 * One HTTP connection carried by one ssh process's stdin and stdout.
 *
 * The connection ends only once ssh has exited, with ssh's own exit status
 * and stderr: a pipe error (EPIPE on stdin when ssh quits, a closed stdout)
 * is held until then, because it always comes first and says nothing about
 * why ssh gave up (unknown host key, refused login, no route).
 */
class SshConnection extends Duplex {
  private stderr = '';
  private pipeError: Error | undefined;
  private exited = false;

  constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly host: string, sshBinary: string) {
    super();
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString('utf8')).slice(-4096)));
    child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout.pause();
    });
    const hold = (e: Error) => (this.pipeError ??= e);
    child.stdin.on('error', hold);
    child.stdout.on('error', hold);
    child.stderr.on('error', hold);
    child.on('error', (e) => this.finish(new Error(`cannot run ${sshBinary} for ${host}: ${e.message}`)));
    // 'close' comes after exit and after stdout and stderr have ended, so all output and all of stderr are in.
    child.on('close', (code, signal) => this.finish(this.exitError(code, signal)));
  }

  private exitError(code: number | null, signal: NodeJS.Signals | null): Error | undefined {
    const reason = this.stderr.trim() || 'no message';
    if (signal) return new Error(`ssh to ${this.host} was stopped by ${signal}: ${reason}`);
    if (code) return new Error(`ssh to ${this.host} failed (exit ${code}): ${reason}`);
    if (this.pipeError) return new Error(`ssh to ${this.host} ended the connection: ${this.pipeError.message}${this.stderr.trim() ? ` (${this.stderr.trim()})` : ''}`);
    return undefined;
  }

  private finish(error: Error | undefined): void {
    if (this.exited) return;
    this.exited = true;
    if (error) this.destroy(error);
    else this.push(null);
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A failed write is held (see above): the callback then waits for ssh's exit, which destroys this stream.
    this.child.stdin.write(chunk, (e) => {
      if (!e) callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.exited = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    callback(error);
  }

  // http.Agent treats the connection as a socket.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
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
    return new SshConnection(child, this.host, this.sshBinary);
  }
}
