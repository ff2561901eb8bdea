import { promises as fs } from 'fs';
import * as path from 'path';
import { SimpleGitProgressEvent } from 'simple-git';
import { classifyGitFailure, GitOperationError } from './errors';
import { GitRunError, runGit } from './run';
import { sourceUrl } from './sources';
import { HeadInfo, listRemotes, readHead, RemoteInfo } from './status';

/** One progress report of a clone. */
export interface CloneProgressEvent {
  /** Which part of the clone: the clone itself, fetching the upstream next to a fork, or checking out the ref. */
  step: 'clone' | 'fetch-upstream' | 'checkout';
  /** git's phase, as git names it: `Receiving objects`, `Resolving deltas`, `Updating files`, … */
  phase: string;
  /** 0–100 within the phase. */
  percent: number;
  processed: number;
  total: number;
}

export interface CloneOptions {
  /** `moby`, `cli`, `docker-ce`, `swarmkit`, `containerd` (see DOCKER_SOURCES) or any git URL: the canonical repository. */
  source: string;
  /** The folder to clone into; must not exist or be empty. Relative paths are taken from process.cwd(). */
  dir: string;
  /** The user's fork: it becomes `origin` and the source becomes `upstream`. */
  fork?: string;
  /** A branch, a tag or a commit (full or abbreviated hash) to check out; default the remote's default branch. */
  ref?: string;
  /** A partial clone filter; only `blob:none` (blobs fetched when needed) is offered. */
  filter?: 'blob:none';
  signal?: AbortSignal;
  onProgress?: (e: CloneProgressEvent) => void;
}

export interface CloneResult {
  /** Absolute path of the clone. */
  directory: string;
  remotes: RemoteInfo[];
  head: HeadInfo;
  /** The canonical repository's URL (remote `upstream` with a fork, else `origin`). */
  upstreamUrl: string;
  forkUrl: string | null;
}

/** How the asked ref is reached in the new clone. */
type RefPlan =
  | { how: 'default' }
  | { how: 'clone-branch'; name: string }              // `git clone --branch`: a branch or tag of the repository cloned
  | { how: 'upstream-branch'; name: string }           // a branch only the upstream has (clone is of the fork)
  | { how: 'upstream-tag'; name: string }              // a tag only the upstream has
  | { how: 'commit'; hash: string };

function checkUrl(url: string, what: string): void {
  if (url === '' || url.startsWith('-') || /[\s\0]/.test(url)) throw new GitOperationError('invalid-input', `${what} '${url}' is not a repository URL`);
}

function checkRef(ref: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(ref)) throw new GitOperationError('invalid-input', `'${ref}' is not a branch, tag or commit name`);
}

/** The branches and tags of a remote (name → hash), from `git ls-remote`; a failure is classified. */
async function remoteRefs(url: string, signal?: AbortSignal): Promise<Map<string, string>> {
  try {
    const r = await runGit(undefined, ['ls-remote', '--heads', '--tags', '--', url], { signal });
    const refs = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const [hash, name] = line.split('\t');
      if (hash && name) refs.set(name, hash);
    }
    return refs;
  } catch (e) {
    throw failure(e, url);
  }
}

function failure(e: unknown, url: string, ref?: string): Error {
  if (e instanceof GitRunError) {
    if (e.cancelled) return new GitOperationError('cancelled', 'Clone cancelled');
    return classifyGitFailure(e.stderr, url, ref);
  }
  return e instanceof Error ? e : new Error(String(e));
}

const HEX = /^[0-9a-f]{4,64}$/i;

/**
 * Where `ref` lives. A branch or tag of the repository being cloned is
 * checked out by `git clone --branch` itself (no second checkout); one only the
 * upstream has is checked out after fetching it; anything hex-looking that is
 * no branch or tag is taken as a commit and verified after the clone.
 */
function planRef(ref: string, cloned: Map<string, string>, upstream: Map<string, string> | null, clonedUrl: string, upstreamUrl: string): RefPlan {
  if (cloned.has(`refs/heads/${ref}`) || cloned.has(`refs/tags/${ref}`)) return { how: 'clone-branch', name: ref };
  if (upstream?.has(`refs/heads/${ref}`)) return { how: 'upstream-branch', name: ref };
  if (upstream?.has(`refs/tags/${ref}`)) return { how: 'upstream-tag', name: ref };
  if (HEX.test(ref)) return { how: 'commit', hash: ref.toLowerCase() };
  const where = upstream ? `${clonedUrl} or ${upstreamUrl}` : clonedUrl;
  throw new GitOperationError('unknown-ref', `No branch or tag '${ref}' in ${where} (a commit is given as its hash)`);
}

/** Where the target stands before the clone; what to remove if the clone fails. */
interface TargetState {
  dir: string;
  /** The topmost folder this clone creates (the target or an ancestor), removed on failure; null when the target already existed (empty). */
  createdTop: string | null;
}

async function checkTarget(dir: string): Promise<TargetState> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    st = undefined;
  }
  if (st) {
    if (!st.isDirectory()) throw new GitOperationError('target-not-empty', `${dir} exists and is not a folder: choose another target`);
    const entries = await fs.readdir(dir);
    if (entries.length > 0) throw new GitOperationError('target-not-empty', `${dir} already exists and is not empty (${entries.length} entries): choose another target folder or empty it`);
    return { dir, createdTop: null };
  }
  let top = dir;
  for (let parent = path.dirname(top); parent !== top; parent = path.dirname(top)) {
    if (await fs.stat(parent).then(() => true, () => false)) break;
    top = parent;
  }
  return { dir, createdTop: top };
}

/** Leaves no half-made clone: removes what the clone created, or empties a target that existed empty. */
async function removeClone(target: TargetState): Promise<void> {
  if (target.createdTop) {
    await fs.rm(target.createdTop, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    return;
  }
  const entries = await fs.readdir(target.dir).catch(() => [] as string[]);
  await Promise.all(entries.map((e) => fs.rm(path.join(target.dir, e), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })));
}

/** git's phase words as git prints them, from simple-git's lower-cased first word. */
const PHASES: Record<string, string> = {
  counting: 'Counting objects',
  compressing: 'Compressing objects',
  receiving: 'Receiving objects',
  resolving: 'Resolving deltas',
  updating: 'Updating files',
  enumerating: 'Enumerating objects',
  writing: 'Writing objects',
  checking: 'Checking connectivity',
  'remote:': 'Remote: preparing objects',
};

function progressAdapter(step: CloneProgressEvent['step'], onProgress?: (e: CloneProgressEvent) => void) {
  if (!onProgress) return undefined;
  return (e: SimpleGitProgressEvent) => {
    const stage = e.stage.trim();
    onProgress({ step, phase: PHASES[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1), percent: e.progress, processed: e.processed, total: e.total });
  };
}

/**
 * Clones a Docker repository set up the way fork maintainers work: with
 * `fork`, the fork is `origin` and the canonical repository is `upstream`;
 * without, the canonical repository is `origin`.
 *
 * With a fork, the clone is made from the fork and the upstream fetched into
 * it afterwards. A fork holds nearly all of the upstream's objects, so the
 * second fetch only brings what the fork lacks, and `git clone` itself then
 * sets up `origin`, origin/HEAD and the checked-out branch tracking the fork,
 * where the user's pushes go. Cloning the upstream first would transfer the
 * same objects but leave every one of those to be rewritten by hand.
 *
 * The target folder must not exist or be empty (checked before anything
 * runs). With a ref, the remotes' branches and tags are listed first
 * (`git ls-remote`), so an unknown ref, a wrong URL, an unreachable host or
 * refused credentials fail before anything is written. On any failure or
 * cancellation (the signal kills git) the target is removed again (only if
 * the clone created it; an existing empty folder is emptied).
 */
export async function cloneRepository(options: CloneOptions): Promise<CloneResult> {
  const upstreamUrl = sourceUrl(options.source);
  checkUrl(upstreamUrl, 'Source');
  if (options.fork !== undefined) checkUrl(options.fork, 'Fork');
  if (options.ref !== undefined) checkRef(options.ref);
  if (options.filter !== undefined && options.filter !== 'blob:none') throw new GitOperationError('invalid-input', `Filter '${options.filter}' is not supported; use blob:none`);
  const cloneUrl = options.fork ?? upstreamUrl;
  const dir = path.resolve(options.dir);
  const target = await checkTarget(dir);
  const signal = options.signal;
  const filter = options.filter ? [`--filter=${options.filter}`] : [];

  let plan: RefPlan = { how: 'default' };
  if (options.ref !== undefined || options.fork !== undefined) {
    // Both listings at once: fail fast on a wrong upstream before cloning a large fork.
    const [cloned, upstream] = await Promise.all([
      remoteRefs(cloneUrl, signal),
      options.fork !== undefined ? remoteRefs(upstreamUrl, signal) : Promise.resolve(null),
    ]);
    if (options.ref !== undefined) plan = planRef(options.ref, cloned, upstream, cloneUrl, upstreamUrl);
  }

  let started = false;
  try {
    // --progress before `--`: simple-git's progress plugin would append it after the directory otherwise.
    const cloneArgs = ['clone', '--progress', '--origin', 'origin', ...filter];
    if (plan.how === 'clone-branch') cloneArgs.push('--branch', plan.name);
    else if (plan.how !== 'default') cloneArgs.push('--no-checkout');
    cloneArgs.push('--', cloneUrl, dir);
    started = true;
    try {
      await runGit(undefined, cloneArgs, { signal, progress: progressAdapter('clone', options.onProgress) });
    } catch (e) {
      throw failure(e, cloneUrl, options.ref);
    }
    if (options.fork !== undefined) {
      try {
        await runGit(dir, ['remote', 'add', 'upstream', '--', upstreamUrl], { signal });
        await runGit(dir, ['fetch', '--progress', '--tags', ...filter, 'upstream'], { signal, progress: progressAdapter('fetch-upstream', options.onProgress) });
        await runGit(dir, ['remote', 'set-head', 'upstream', '--auto'], { signal });
      } catch (e) {
        throw failure(e, upstreamUrl, options.ref);
      }
    }
    await checkoutPlan(dir, plan, options);
    return { directory: dir, remotes: await listRemotes(dir), head: await readHead(dir), upstreamUrl, forkUrl: options.fork ?? null };
  } catch (e) {
    if (started) await removeClone(target);
    if (signal?.aborted && !(e instanceof GitOperationError && e.kind === 'cancelled')) throw new GitOperationError('cancelled', 'Clone cancelled');
    throw e;
  }
}

async function checkoutPlan(dir: string, plan: RefPlan, options: CloneOptions): Promise<void> {
  const signal = options.signal;
  const progress = progressAdapter('checkout', options.onProgress);
  const remoteOfRef = options.fork !== undefined ? 'upstream' : 'origin';
  try {
    switch (plan.how) {
      case 'default':
      case 'clone-branch':
        return;
      case 'upstream-branch':
        await runGit(dir, ['checkout', '--progress', '-b', plan.name, '--track', `upstream/${plan.name}`], { signal, progress });
        return;
      case 'upstream-tag':
        await runGit(dir, ['checkout', '--progress', '--detach', `refs/tags/${plan.name}`], { signal, progress });
        return;
      case 'commit': {
        let commit = await resolveCommit(dir, plan.hash);
        // A commit on no branch or tag (a pull request's head, say) is fetched by its full hash where the server allows it.
        for (const remote of commit || plan.hash.length < 40 ? [] : ['origin', ...(options.fork !== undefined ? ['upstream'] : [])]) {
          try {
            await runGit(dir, ['fetch', '--progress', '--no-tags', remote, plan.hash], { signal });
          } catch (e) {
            if (e instanceof GitRunError && e.cancelled) throw e;
          }
          commit = await resolveCommit(dir, plan.hash);
          if (commit) break;
        }
        if (!commit) {
          const url = options.fork !== undefined ? `${options.fork} or ${sourceUrl(options.source)}` : sourceUrl(options.source);
          throw new GitOperationError('unknown-ref', `No branch, tag or commit '${plan.hash}' in ${url}`);
        }
        await runGit(dir, ['checkout', '--progress', '--detach', commit], { signal, progress });
        return;
      }
    }
  } catch (e) {
    throw failure(e, remoteOfRef === 'upstream' ? sourceUrl(options.source) : options.fork ?? sourceUrl(options.source));
  }
}

/** The full hash of a commit the clone has, from a full or abbreviated hash; null when it has none (or the abbreviation is ambiguous). */
async function resolveCommit(dir: string, hash: string): Promise<string | null> {
  try {
    const r = await runGit(dir, ['rev-parse', '--verify', '--quiet', `${hash}^{commit}`]);
    return r.stdout.trim() || null;
  } catch {
    return null;
  }
}
