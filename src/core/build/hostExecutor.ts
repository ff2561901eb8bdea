import { spawn } from 'child_process';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { BuildSetupError, ExecutionContext, Executor, system } from './executor';
import { BuildRecipe } from './recipe';

/**
 * Each step of a host build's cancel and how long it gets. SIGINT first, as
 * Ctrl-C in a terminal: make stops cleanly, and a `docker run` it started
 * forwards the signal to its container (the CLI's signal proxy), so the
 * container stops too instead of outliving a killed CLI. SIGTERM next
 * (forwarded the same way), SIGKILL last.
 */
export const HOST_STOP_STEPS: ReadonlyArray<{ signal: NodeJS.Signals; afterMs: number }> = [
  { signal: 'SIGINT', afterMs: 0 },
  { signal: 'SIGTERM', afterMs: 3000 },
  { signal: 'SIGKILL', afterMs: 6000 },
];

/**
 * Runs a host recipe's command (argv, no shell) in its own process group,
 * so cancelling reaches make and everything it started.
 */
export class HostExecutor implements Executor {
  execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number> {
    if (recipe.executor !== 'host') throw new Error('HostExecutor runs host recipes only');
    if (ctx.signal.aborted) return Promise.resolve(130);
    const [command, ...args] = recipe.command;
    const cwd = path.resolve(recipe.repoRoot, recipe.cwd);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env: { ...ctx.env, ...recipe.env } as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      forward(child.stdout, 'stdout', ctx);
      forward(child.stderr, 'stderr', ctx);
      const timers: NodeJS.Timeout[] = [];
      const cancel = () => {
        for (const step of HOST_STOP_STEPS) {
          timers.push(
            setTimeout(() => {
              if (step.signal === 'SIGKILL' && groupAlive(child.pid)) {
                // A docker CLI killed here cannot stop its container: say so rather than hide it.
                system(ctx, `The build ignored SIGINT and SIGTERM for ${step.afterMs / 1000} s and was killed; a container its docker run started may still be running (docker ps).`);
              }
              signalGroup(child.pid, step.signal);
            }, step.afterMs),
          );
        }
      };
      ctx.signal.addEventListener('abort', cancel, { once: true });
      const settle = () => {
        ctx.signal.removeEventListener('abort', cancel);
        timers.forEach(clearTimeout);
      };
      child.on('error', (e) => {
        settle();
        reject(new BuildSetupError(`Cannot run '${command}' in ${cwd}: ${e.message}`));
      });
      child.on('close', (code, sig) => {
        settle();
        signalGroup(child.pid, 'SIGKILL'); // stragglers that left the foreground
        resolve(code ?? (sig ? 128 + (SIGNAL_NUMBERS[sig] ?? 15) : 1));
      });
    });
  }
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Log events from one pipe, decoding UTF-8 across chunk boundaries. */
function forward(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr', ctx: ExecutionContext): void {
  const decoder = new StringDecoder('utf8');
  stream.on('data', (d: Buffer) => {
    const text = decoder.write(d);
    if (text) ctx.emit({ type: 'log', stream: name, text });
  });
  stream.on('end', () => {
    const rest = decoder.end();
    if (rest) ctx.emit({ type: 'log', stream: name, text: rest });
  });
}

function groupAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}
