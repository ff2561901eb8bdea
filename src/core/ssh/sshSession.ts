import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import type { Machine } from '../machines/machine';
import { ConfirmHostKey, knownHostsName, PinnedHostKeys } from './hostKeys';
import { lastLines, SshError } from './sshErrors';

/** ssh's own failures exit 255; anything else is the remote command's status. */
const SSH_FAILED = 255;

/**
 * ssh(1) options that reach a machine: port, user, key and how its host key
 * is checked. Every ssh we run for a machine (sessions, terminals) takes these.
 */
export function endpointArgs(machine: Machine, pinnedKnownHostsFile: string): string[] {
  const { ssh } = machine;
  const args: string[] = [];
  if (ssh.port) args.push('-p', String(ssh.port));
  if (ssh.user) args.push('-l', ssh.user);
  if (ssh.identityFile) args.push('-i', ssh.identityFile, '-o', 'IdentitiesOnly=yes');
  if (ssh.hostKeys === 'pinned') {
    args.push('-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${pinnedKnownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no');
  }
  for (const [k, v] of Object.entries(ssh.options ?? {})) if (PASSED_OPTIONS.has(k.toLowerCase())) args.push('-o', `${k}=${v}`);
  return args;
}

/** Options a machine source may pass through to ssh: never host-key checking, control sockets or commands. */
export const PASSED_OPTIONS = new Set(['identitiesonly', 'pubkeyacceptedkeytypes', 'pubkeyacceptedalgorithms', 'hostkeyalgorithms', 'proxyjump', 'kexalgorithms', 'ciphers', 'macs', 'addkeystoagent']);

export interface SshSessionOptions {
  /** Our known_hosts for machines whose keys are pinned on first use. */
  readonly pinnedHostKeys: PinnedHostKeys;
  /** Asked before a key is pinned; without it, unknown keys are refused. */
  readonly confirmHostKey?: ConfirmHostKey;
  readonly sshBinary?: string;
  readonly connectTimeoutSec?: number;
  readonly signal?: AbortSignal;
  /** Told what the session does, a line at a time (never secrets: key paths only, no key material). */
  readonly log?: (line: string) => void;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Bytes for the remote command's stdin. */
  readonly input?: Readable | string;
  readonly signal?: AbortSignal;
}

/** A remote command that ran and failed (not ssh itself). */
export class RemoteCommandError extends Error {
  constructor(readonly machine: string, readonly step: string, readonly result: ExecResult) {
    const why = lastLines(result.stderr) || lastLines(result.stdout) || 'no message';
    // sudo -n never asks: a user without passwordless sudo gets this.
    const advice = /sudo: .*password is required|sudo: a terminal is required/.test(result.stderr) ? `\nThe SSH user is not root and needs passwordless sudo on ${machine} (docker-machine's users have it), or log in as root.` : '';
    super(`${machine}: ${step} failed (exit ${result.code}): ${why}${advice}`);
    this.name = 'RemoteCommandError';
  }
}

export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
    this.name = 'CancelledError';
  }
}

/**
 * One SSH connection to a machine, shared by every step (OpenSSH connection
 * multiplexing: a master process and a control socket in a private temp dir).
 * OpenSSH does the transport, so the user's ssh_config, agent and known_hosts
 * apply exactly as for `ssh` itself, and uploads run at scp's speed.
 */
export class SshSession {
  private closed = false;

  private constructor(
    readonly machine: Machine,
    private readonly dir: string,
    private readonly baseArgs: readonly string[],
    private readonly destination: string,
    private readonly options: SshSessionOptions,
  ) {}

  /** Checks the host key (pinning it on first use where the machine's tools never check), connects and logs in. */
  static async open(machine: Machine, options: SshSessionOptions): Promise<SshSession> {
    const { ssh } = machine;
    if (ssh.identityFile) {
      try {
        await fs.access(ssh.identityFile);
      } catch {
        throw new SshError(machine.name, 'connect', `identity file ${ssh.identityFile} does not exist or cannot be read`, 'key-file');
      }
    }
    if (ssh.hostKeys === 'pinned') await ensurePinned(machine, options);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dfw-ssh-'));
    const args = ['-o', `ControlPath=${path.join(dir, 'c')}`, '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${options.connectTimeoutSec ?? 15}`, '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', ...endpointArgs(machine, options.pinnedHostKeys.file)];
    const session = new SshSession(machine, dir, args, ssh.host, options);
    options.log?.(`ssh: connecting to ${describeEndpoint(machine)}`);
    try {
      // The master logs in, then goes to the background (-f -N with
      // ControlPersist) serving every later step over the same connection;
      // ssh returns once the login succeeded. Should this process die, the
      // master ends itself when idle.
      const r = await session.spawnSsh(['-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-f', '-N'], undefined, { signal: options.signal });
      if (r.code !== 0) throw new SshError(machine.name, 'connect', r.stderr);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
    return session;
  }

  /** Runs a command line (quoted by util/remoteShell) on the machine. ssh's own failures throw SshError. */
  async exec(command: string, step: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw new Error(`${this.machine.name}: the SSH session is closed`);
    const r = await this.spawnSsh(['-o', 'ControlMaster=no'], command, options);
    if (r.code === SSH_FAILED && isSshOwnFailure(r.stderr)) {
      // A master killed mid-step leaves its clients without a word.
      throw new SshError(this.machine.name, step, r.stderr.trim() || 'the SSH connection ended (ssh exited 255 without a message)', r.stderr.trim() ? undefined : 'cut');
    }
    return r;
  }

  /** Like exec, but a non-zero exit throws RemoteCommandError naming the step. */
  async run(command: string, step: string, options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.exec(command, step, options);
    if (r.code !== 0) throw new RemoteCommandError(this.machine.name, step, r);
    return r;
  }

  /**
   * A local unix socket that reaches `target` on the machine (a unix socket
   * path, or host:port as the machine sees it) through this connection.
   */
  async forward(target: { socket: string } | { host: string; port: number }, step: string): Promise<string> {
    const local = path.join(this.dir, `f${Math.random().toString(36).slice(2, 8)}.sock`);
    const remote = 'socket' in target ? target.socket : `${target.host}:${target.port}`;
    const r = await this.spawnSsh(['-O', 'forward', '-L', `${local}:${remote}`], undefined, {});
    if (r.code !== 0) throw new SshError(this.machine.name, step, r.stderr || `cannot forward ${remote}`);
    return local;
  }

  /** Ends the master connection and removes the control dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.spawnSsh(['-O', 'exit'], undefined, {}).catch(() => undefined);
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private spawnSsh(extra: readonly string[], command: string | undefined, options: ExecOptions): Promise<ExecResult> {
    const binary = this.options.sshBinary ?? 'ssh';
    // `--` so the destination can never be read as an option.
    const argv = [...this.baseArgs, ...extra, ...(command === undefined ? ['--', this.destination] : ['-T', '--', this.destination, command])];
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError(`${this.machine.name}: the step`));
      const child = spawn(binary, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-16384)));
      // stdin errors (EPIPE when the remote side quits early) say nothing
      // ssh's exit status and stderr do not say better.
      child.stdin.on('error', () => undefined);
      const onAbort = () => child.kill('SIGTERM');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => reject(new Error(`cannot run ${binary}: ${e.message}`)));
      // An error of the input stream: a local read error is the reason; a
      // broken pipe only means ssh quit, and ssh's exit says why.
      let inputError: (Error & { code?: string }) | undefined;
      child.on('close', (code, sig) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted) return reject(new CancelledError(`${this.machine.name}: the step`));
        if (inputError && !isBrokenPipe(inputError)) return reject(inputError);
        resolve({ code: code ?? (sig ? 128 + (os.constants.signals[sig] ?? 0) : SSH_FAILED), stdout: Buffer.concat(out).toString('utf8'), stderr: err });
      });
      if (options.input === undefined) child.stdin.end();
      else if (typeof options.input === 'string') child.stdin.end(options.input);
      else {
        const input = options.input;
        input.on('error', (e) => {
          inputError ??= e;
          child.kill('SIGTERM');
        });
        input.pipe(child.stdin);
      }
    });
  }
}

function isBrokenPipe(e: Error & { code?: string }): boolean {
  return e.code === 'EPIPE' || e.code === 'ECONNRESET' || e.code === 'ERR_STREAM_DESTROYED' || /EPIPE|premature close|destroyed/i.test(e.message);
}

/** 255 is also a status a remote command may return; ssh's own failures say so on stderr. */
function isSshOwnFailure(stderr: string): boolean {
  return /^(ssh|mux_client|Control socket|client_loop|Connection|Host key|Permission denied|kex_|Timeout|ssh_dispatch|Received disconnect|Load key|Warning: Identity)/im.test(stderr) || stderr.trim() === '';
}

export function describeEndpoint(machine: Machine): string {
  const { host, port, user } = machine.ssh;
  return `${machine.name} (${user ? `${user}@` : ''}${knownHostsName(host, port)})`;
}

async function ensurePinned(machine: Machine, options: SshSessionOptions): Promise<void> {
  const { host, port } = machine.ssh;
  const keys = options.pinnedHostKeys;
  if (await keys.isPinned(host, port)) return;
  let scanned;
  try {
    scanned = await keys.scan(host, port);
  } catch (e) {
    throw new SshError(machine.name, 'host key', (e as Error).message);
  }
  const accepted = (await options.confirmHostKey?.({ machine: machine.name, host: knownHostsName(host, port), keys: scanned, file: keys.file })) ?? false;
  if (!accepted) {
    throw new SshError(machine.name, 'host key', `the host key of ${knownHostsName(host, port)} (${scanned.map((k) => `${k.type} ${k.fingerprint}`).join(', ')}) was not accepted`, 'host-key-unknown');
  }
  await keys.pin(scanned);
  options.log?.(`ssh: pinned the host key of ${machine.name} (${scanned.map((k) => `${k.type} ${k.fingerprint}`).join(', ')}) in ${keys.file}`);
}
