import { GitCommandRun, GitOperationError, classifyGitFailure } from './errors';
import { GitRunError, gitQuery, runGit, RunOptions } from './run';
import { listRemotes, readDirtyState, readHead, upstreamBaseRef, workTreeRoot } from './status';

/** Options every repository action takes: cancel, and each output line as git prints it (for a task terminal). */
export type ActionOptions = Pick<RunOptions, 'signal' | 'onOutput'>;

/** The git commands an action ran (argv arrays) with their output lines, in order. */
export interface GitActionResult {
  commands: GitCommandRun[];
}

class ActionRunner {
  readonly commands: GitCommandRun[] = [];
  constructor(readonly root: string, readonly options: ActionOptions) {}

  /** Runs one git command; a failure is classified against `url` (a network command) or reported with git's words. */
  async git(args: string[], url?: string): Promise<string> {
    try {
      const r = await runGit(this.root, args, this.options);
      this.commands.push({ argv: r.argv, output: r.output });
      return r.stdout;
    } catch (e) {
      if (!(e instanceof GitRunError)) throw e;
      this.commands.push(e.run);
      if (e.cancelled) throw new GitOperationError('cancelled', `Cancelled: git ${args[0]}`, '', this.commands);
      if (url) {
        const c = classifyGitFailure(e.stderr, url);
        throw new GitOperationError(c.kind, c.message, e.stderr, this.commands);
      }
      const said = e.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join('; ');
      throw new GitOperationError('failed', `git ${args[0]} failed in ${this.root}: ${said}`, e.stderr, this.commands);
    }
  }

  result(): GitActionResult {
    return { commands: this.commands };
  }
}

async function runner(dir: string, options: ActionOptions): Promise<ActionRunner> {
  return new ActionRunner(await workTreeRoot(dir), options);
}

/**
 * Refuses to go on when tracked files have changes a checkout or rebase
 * could lose or tangle (untracked files are left to git, which refuses itself
 * before overwriting one).
 */
async function requireClean(root: string, action: string): Promise<void> {
  const dirty = await readDirtyState(root);
  if (dirty.trackedChanges > 0) {
    throw new GitOperationError('dirty', `Not ${action}: ${root} has uncommitted changes in ${dirty.trackedChanges} file(s). Commit or stash them first (git stash), then try again.`);
  }
}

async function remoteWithRole(root: string, role: 'fork' | 'upstream'): Promise<{ name: string; url: string }> {
  const remotes = await listRemotes(root);
  const r = remotes.find((x) => x.role === role);
  if (!r) {
    throw new GitOperationError('invalid-input', role === 'fork'
      ? `${root} has no fork remote (origin next to an upstream, or a remote named fork): add your fork first`
      : `${root} has no remote: add the canonical repository as upstream first`);
  }
  return { name: r.name, url: r.fetchUrl };
}

/** `git fetch --tags --prune UPSTREAM`: brings the upstream's branches and tags; never touches the work tree. */
export async function fetchUpstream(dir: string, options: ActionOptions = {}): Promise<GitActionResult> {
  const run = await runner(dir, options);
  const upstream = await remoteWithRole(run.root, 'upstream');
  await run.git(['fetch', '--progress', '--tags', '--prune', upstream.name], upstream.url);
  await run.git(['remote', 'set-head', upstream.name, '--auto'], upstream.url).catch(() => undefined);
  return run.result();
}

/**
 * Checks out a branch, tag or commit. A local branch is checked out as is; a
 * branch only a remote has gets a local branch tracking it (upstream first);
 * a tag or a commit is checked out detached. Refuses with uncommitted changes.
 */
export async function checkoutRef(dir: string, ref: string, options: ActionOptions = {}): Promise<GitActionResult> {
  if (ref === '' || ref.startsWith('-')) throw new GitOperationError('invalid-input', `'${ref}' is not a branch, tag or commit name`);
  const run = await runner(dir, options);
  await requireClean(run.root, `checking out ${ref}`);
  const has = async (full: string) => Boolean(await gitQuery(run.root, ['rev-parse', '--verify', '--quiet', `${full}^{commit}`]));
  if (await has(`refs/heads/${ref}`)) {
    await run.git(['checkout', '--progress', ref, '--']);
    return run.result();
  }
  if (await has(`refs/tags/${ref}`)) {
    await run.git(['checkout', '--progress', '--detach', `refs/tags/${ref}`, '--']);
    return run.result();
  }
  const remotes = (await listRemotes(run.root)).sort((a, b) => Number(b.role === 'upstream') - Number(a.role === 'upstream'));
  for (const r of remotes) {
    if (await has(`refs/remotes/${r.name}/${ref}`)) {
      await run.git(['checkout', '--progress', '-b', ref, '--track', `${r.name}/${ref}`, '--']);
      return run.result();
    }
  }
  const commit = /^[0-9a-f]{4,64}$/i.test(ref) ? await gitQuery(run.root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) : undefined;
  if (!commit) throw new GitOperationError('unknown-ref', `No branch, tag or commit '${ref}' in ${run.root} (fetch upstream first if it is new)`);
  await run.git(['checkout', '--progress', '--detach', commit, '--']);
  return run.result();
}

/**
 * Creates BRANCH at an upstream tag and checks it out (the usual start of a
 * fork's release branch). Fetches the tag from the upstream when the clone
 * lacks it. Refuses with uncommitted changes or when BRANCH exists.
 */
export async function createBranchFromUpstreamTag(dir: string, tag: string, branch: string, options: ActionOptions = {}): Promise<GitActionResult> {
  for (const name of [tag, branch]) {
    if (name === '' || name.startsWith('-') || /[\s\0~^:?*[\\]|\.\./.test(name)) throw new GitOperationError('invalid-input', `'${name}' is not a valid tag or branch name`);
  }
  const run = await runner(dir, options);
  await requireClean(run.root, `creating branch ${branch}`);
  if (await gitQuery(run.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])) {
    throw new GitOperationError('invalid-input', `Branch '${branch}' already exists in ${run.root}: choose another name`);
  }
  if (!(await gitQuery(run.root, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]))) {
    const upstream = await remoteWithRole(run.root, 'upstream');
    try {
      await run.git(['fetch', '--progress', '--no-tags', upstream.name, `+refs/tags/${tag}:refs/tags/${tag}`], upstream.url);
    } catch (e) {
      if (e instanceof GitOperationError && e.kind === 'failed') throw new GitOperationError('unknown-ref', `No tag '${tag}' in ${upstream.url}`, e.gitOutput, e.commands);
      throw e;
    }
  }
  await run.git(['checkout', '--progress', '--no-track', '-b', branch, `refs/tags/${tag}`, '--']);
  return run.result();
}

/**
 * Fetches the upstream and rebases the checked-out branch onto it
 * (upstream/<branch>, else the upstream's default branch). On conflicts the
 * rebase is left stopped for the user to resolve (nothing is lost) and a
 * `conflict` error says how to go on or back. Refuses with uncommitted changes
 * or a detached HEAD.
 */
export async function rebaseOntoUpstream(dir: string, options: ActionOptions = {}): Promise<GitActionResult> {
  const run = await runner(dir, options);
  const head = await readHead(run.root);
  if (!head.branch) throw new GitOperationError('invalid-input', `HEAD is detached at ${head.commit?.slice(0, 12)} in ${run.root}: check out a branch to rebase`);
  await requireClean(run.root, `rebasing ${head.branch}`);
  const upstream = await remoteWithRole(run.root, 'upstream');
  await run.git(['fetch', '--progress', '--tags', upstream.name], upstream.url);
  const base = await upstreamBaseRef(run.root, upstream.name, head.branch);
  if (!base) throw new GitOperationError('unknown-ref', `${upstream.name} has no branch ${head.branch} and no default branch was found: run git remote set-head ${upstream.name} --auto`);
  try {
    await run.git(['rebase', base]);
  } catch (e) {
    const stopped = await gitQuery(run.root, ['rev-parse', '--verify', '--quiet', 'REBASE_HEAD']);
    if (e instanceof GitOperationError && stopped) {
      throw new GitOperationError('conflict', `Rebasing ${head.branch} onto ${base} stopped on conflicts: resolve them and run git rebase --continue, or git rebase --abort to go back`, e.gitOutput, e.commands);
    }
    throw e;
  }
  return run.result();
}

/** Pushes the checked-out branch to the fork (`git push --set-upstream FORK BRANCH`). Refuses on a detached HEAD. */
export async function pushToFork(dir: string, options: ActionOptions = {}): Promise<GitActionResult> {
  const run = await runner(dir, options);
  const head = await readHead(run.root);
  if (!head.branch) throw new GitOperationError('invalid-input', `HEAD is detached in ${run.root}: create a branch to push (for example from an upstream tag)`);
  const fork = await remoteWithRole(run.root, 'fork');
  await run.git(['push', '--progress', '--set-upstream', fork.name, `refs/heads/${head.branch}:refs/heads/${head.branch}`], fork.url);
  return run.result();
}
