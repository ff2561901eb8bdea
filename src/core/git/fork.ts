import { GitCommandRun, GitOperationError, classifyGitFailure } from './errors';
import { GitRunError, runGit, RunOptions } from './run';
import { listRemotes, RemoteInfo, workTreeRoot } from './status';

export interface AddForkOptions extends Pick<RunOptions, 'signal' | 'onOutput'> {
  /**
   * The user's answer to "rename origin to upstream and make the fork origin?".
   * true: origin → upstream, the fork → origin (the maintainers' layout).
   * false: origin is left alone and the fork is added as remote `fork`.
   */
  renameOriginToUpstream: boolean;
}

export interface AddForkResult {
  remotes: RemoteInfo[];
  commands: GitCommandRun[];
  /** False when the fork was already set up as asked (nothing ran). */
  changed: boolean;
}

/**
 * Adds the user's fork to an existing clone and fetches it. The fetch checks
 * the fork is reachable: if it fails, the remotes are put back as they were.
 */
export async function addForkToClone(dir: string, forkUrl: string, options: AddForkOptions): Promise<AddForkResult> {
  if (forkUrl === '' || forkUrl.startsWith('-') || /[\s\0]/.test(forkUrl)) throw new GitOperationError('invalid-input', `Fork '${forkUrl}' is not a repository URL`);
  const root = await workTreeRoot(dir);
  const before = await listRemotes(root);
  const has = (name: string) => before.some((r) => r.name === name);
  const already = before.find((r) => r.fetchUrl === forkUrl);
  if (already && already.role === 'fork') return { remotes: before, commands: [], changed: false };
  if (already) throw new GitOperationError('invalid-input', `${forkUrl} is already remote '${already.name}' of ${root}`);

  const commands: GitCommandRun[] = [];
  const run = async (args: string[]) => {
    try {
      const r = await runGit(root, args, options);
      commands.push({ argv: r.argv, output: r.output });
    } catch (e) {
      if (!(e instanceof GitRunError)) throw e;
      commands.push(e.run);
      if (e.cancelled) throw new GitOperationError('cancelled', 'Adding the fork was cancelled', '', commands);
      const c = classifyGitFailure(e.stderr, forkUrl);
      throw new GitOperationError(c.kind, c.message, e.stderr, commands);
    }
  };
  let name: string;
  const undo: string[][] = [];
  if (options.renameOriginToUpstream && has('origin')) {
    if (has('upstream')) throw new GitOperationError('invalid-input', `${root} already has remotes origin and upstream: remove or rename one first (git remote rename)`);
    await run(['remote', 'rename', 'origin', 'upstream']);
    undo.unshift(['remote', 'rename', 'upstream', 'origin']);
    name = 'origin';
  } else {
    name = has('origin') ? 'fork' : 'origin';
    if (has(name)) throw new GitOperationError('invalid-input', `${root} already has a remote '${name}' (${before.find((r) => r.name === name)?.fetchUrl}): remove or rename it first`);
  }
  try {
    await run(['remote', 'add', name, '--', forkUrl]);
    undo.unshift(['remote', 'remove', name]);
    await run(['fetch', name]);
  } catch (e) {
    // Put the remotes back as they were: the fork was not reachable or the user cancelled.
    for (const args of undo) await runGit(root, args).catch(() => undefined);
    throw e;
  }
  return { remotes: await listRemotes(root), commands, changed: true };
}
