import { spawn } from 'child_process';
import * as path from 'path';
import { BuildSetupError, ExecutionContext, Executor } from './executor';
import { BuildRecipe } from './recipe';

/**
 * Runs a host recipe's command (argv, no shell) in its own process group,
 * so cancelling kills make and everything it started.
 */
export class HostExecutor implements Executor {
  execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number> {
    if (recipe.executor !== 'host') throw new Error('HostExecutor runs host recipes only');
    const [command, ...args] = recipe.command;
    const cwd = path.resolve(recipe.repoRoot, recipe.cwd);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env: { ...ctx.env, ...recipe.env } as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => ctx.emit({ type: 'log', stream: 'stdout', text: d.toString('utf8') }));
      child.stderr.on('data', (d: Buffer) => ctx.emit({ type: 'log', stream: 'stderr', text: d.toString('utf8') }));
      let killTimer: NodeJS.Timeout | undefined;
      const cancel = () => {
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
      };
      ctx.signal.addEventListener('abort', cancel, { once: true });
      child.on('error', (e) => {
        ctx.signal.removeEventListener('abort', cancel);
        reject(new BuildSetupError(`Cannot run '${command}' in ${cwd}: ${e.message}`));
      });
      child.on('close', (code, sig) => {
        ctx.signal.removeEventListener('abort', cancel);
        if (killTimer) clearTimeout(killTimer);
        signalGroup(child.pid, 'SIGKILL'); // stragglers that left the foreground
        resolve(code ?? (sig ? 128 + 15 : 1));
      });
    });
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
