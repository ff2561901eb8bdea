import { SimpleGitProgressEvent } from 'simple-git';
import { gitAt } from '../vendor/gitRemote';
import { GitCommandRun, GitOperationError, stderrOf } from './errors';

export interface RunOptions {
  signal?: AbortSignal;
  /** Each line git prints (stdout and stderr), as it prints it: for a task terminal. */
  onOutput?: (line: string) => void;
  /** simple-git progress events (clone, fetch, checkout, push). */
  progress?: (e: SimpleGitProgressEvent) => void;
}

/** A git failure before classification: the stderr text, or cancellation. */
export class GitRunError extends Error {
  constructor(readonly stderr: string, readonly cancelled: boolean, readonly run: GitCommandRun) {
    super(stderr);
  }
}

/**
 * Runs `git ARGS` in `dir` through simple-git (the safe environment of gitAt:
 * no prompts, no editor or pager variables) and returns the argv with every
 * output line. Lines are split on \n and \r, so progress redraws become lines.
 */
export async function runGit(dir: string | undefined, args: string[], opts: RunOptions = {}): Promise<GitCommandRun & { stdout: string }> {
  const run: GitCommandRun = { argv: ['git', ...args], output: [] };
  if (opts.signal?.aborted) throw new GitRunError('cancelled', true, run);
  const git = gitAt(dir, { abort: opts.signal, progress: opts.progress });
  const partial = { out: '', err: '' };
  const feed = (key: 'out' | 'err', chunk: Buffer) => {
    const text = partial[key] + chunk.toString('utf8');
    const parts = text.split(/\r\n|\r|\n/);
    partial[key] = parts.pop() ?? '';
    for (const l of parts) {
      if (l === '') continue;
      run.output.push(l);
      opts.onOutput?.(l);
    }
  };
  git.outputHandler((_cmd, stdout, stderr) => {
    stdout.on('data', (c: Buffer) => feed('out', c));
    stderr.on('data', (c: Buffer) => feed('err', c));
  });
  const flush = () => {
    for (const key of ['out', 'err'] as const) {
      if (partial[key]) {
        run.output.push(partial[key]);
        opts.onOutput?.(partial[key]);
        partial[key] = '';
      }
    }
  };
  try {
    const stdout = await git.raw(args);
    flush();
    return { ...run, stdout };
  } catch (e) {
    flush();
    throw new GitRunError(stderrOf(e), opts.signal?.aborted === true, run);
  }
}

/** Like runGit, but a failure becomes a GitOperationError of kind `failed` naming the command. */
export async function runGitOrFail(dir: string, args: string[], opts: RunOptions, done: GitCommandRun[]): Promise<string> {
  try {
    const r = await runGit(dir, args, opts);
    done.push({ argv: r.argv, output: r.output });
    return r.stdout;
  } catch (e) {
    if (!(e instanceof GitRunError)) throw e;
    done.push(e.run);
    if (e.cancelled) throw new GitOperationError('cancelled', `Cancelled: git ${args[0]}`, '', done);
    throw new GitOperationError('failed', `git ${args.join(' ')} failed in ${dir}: ${e.stderr.trim().split('\n').slice(-3).join('; ')}`, e.stderr, done);
  }
}

/**
 * Output of a read-only git query in `dir`, or undefined when git fails (no such ref, no commit yet).
 * simple-git resolves a failure that printed nothing to stderr (`rev-parse --quiet`), so an
 * existence check must test for a non-empty answer, not for undefined.
 */
export async function gitQuery(dir: string, args: string[]): Promise<string | undefined> {
  try {
    return (await gitAt(dir).raw(args)).trim();
  } catch {
    return undefined;
  }
}
