import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';

/** A long-running program the rig started, in its own process group. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited. */
  exited(): boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// Last resort if the test process dies without teardown: never leave daemons.
process.on('exit', () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const onSignal = new Set<() => Promise<void>>();
let stoppingOn: NodeJS.Signals | undefined;

/**
 * Runs `cleanup` when SIGINT or SIGTERM reaches this process, then exits with
 * 128 + the signal's number: without it a signalled test process dies at once
 * and its detached daemons outlive it. Returns a function that unregisters it.
 */
export function stopOnSignal(cleanup: () => Promise<void>): () => void {
  if (onSignal.size === 0 && !stoppingOn) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAllOnSignal(signal));
  }
  onSignal.add(cleanup);
  return () => void onSignal.delete(cleanup);
}

async function stopAllOnSignal(signal: NodeJS.Signals): Promise<void> {
  if (stoppingOn) return;
  stoppingOn = signal;
  process.stderr.write(`${signal}: stopping the test services...\n`);
  const deadline = new Promise((r) => setTimeout(r, 60_000).unref());
  await Promise.race([Promise.allSettled([...onSignal].map((c) => c())), deadline]);
  process.exit(128 + os.constants.signals[signal]);
}

/** `passFds` become the child's fds 3, 4, … (for socket activation). */
export function startDaemon(name: string, command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv, passFds: readonly number[] = []): Daemon {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log, ...passFds], env: env ?? process.env });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  running.add(child);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    const finish = () => {
      done = true;
      running.delete(child);
      resolve();
    };
    child.once('exit', finish);
    child.once('error', finish);
  });
  const pid = child.pid;
  return {
    name,
    pid,
    logFile,
    exited: () => done,
    async stop(graceMs = 15_000) {
      if (done) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
      // Children that outlived their parent in the group (git daemon's forks).
      signalGroup(pid, 'SIGKILL');
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already empty
  }
}

/** The last lines of a daemon's log, for error messages. */
export function logTail(daemon: Daemon, lines = 15): string {
  try {
    return fs.readFileSync(daemon.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` until it returns true; fails early if `daemon` exits, with its log. */
export async function waitUntil(what: string, check: () => Promise<boolean>, daemon: Daemon, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (daemon.exited()) throw new Error(`${daemon.name} exited before ${what}. Its log (${daemon.logFile}) ends:\n${logTail(daemon)}`);
    if (Date.now() > deadline) throw new Error(`${daemon.name}: timed out after ${timeoutMs / 1000}s waiting for ${what}. Its log (${daemon.logFile}) ends:\n${logTail(daemon)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first bytes a TCP server on 127.0.0.1:port sends, or rejects. */
export function readBanner(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString('utf8'));
    });
    socket.once('error', reject);
  });
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const commands = new Set<ChildProcess>();

/** Runs a program to completion (argv, no shell); rejects with its stderr on failure. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      commands.delete(child);
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    commands.add(child);
  });
}

/** Ends every `run()` still going (their promises reject), for a prompt stop on a signal; returns what it ended. */
export function endRunningCommands(signal: NodeJS.Signals = 'SIGTERM'): string[] {
  const ended = [...commands].map((c) => `${c.spawnfile} (pid ${c.pid})`);
  for (const c of commands) c.kill(signal);
  return ended;
}
