import { promises as fs } from 'fs';
import * as path from 'path';
import type { SimpleGitProgressEvent } from 'simple-git';
import { classifyGitFailure, GitOperationError } from './errors';
import { GitRunError, runGit } from './run';

// One commit of a remote, named as `URL#REF`, resolved and fetched without a clone (for building someone's branch).

/** A repository and the ref to build, as `URL#REF` names them. */
export interface GitSource {
  readonly url: string;
  /** Branch, tag or full commit hash; `HEAD` (the remote's default branch) when none was given. */
  readonly ref: string;
}

/** The ref as resolved on the remote before anything was fetched. */
export interface ResolvedGitSource extends GitSource {
  /** The full ref name it matched (`refs/heads/feature`), or null for a commit hash. */
  readonly refName: string | null;
  /** `head` for the remote's default branch, `other` for a ref outside heads and tags (`refs/pull/1/head`). */
  readonly kind: 'branch' | 'tag' | 'commit' | 'head' | 'other';
  /** The commit that was built. */
  readonly commit: string;
}

/** A progress redraw of git (`Receiving objects:  42% (420/1000)`), shown as progress, not logged. */
const PROGRESS_LINE = /:\s+\d+% \(\d+\/\d+\)/;

const FULL_HASH = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i;

/**
 * Splits `URL#REF`. The last `#` separates the ref (URLs of git servers have
 * no fragment); without one the remote's default branch is built.
 */
export function parseGitSource(text: string): GitSource {
  const at = text.lastIndexOf('#');
  const url = (at < 0 ? text : text.slice(0, at)).trim();
  const ref = at < 0 ? 'HEAD' : text.slice(at + 1).trim();
  if (url === '' || url.startsWith('-') || /[\s\0]/.test(url)) throw new GitOperationError('invalid-input', `'${url}' is not a repository URL (write URL#REF, e.g. https://github.com/you/moby.git#my-branch)`);
  if (ref === '' || ref.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(ref)) throw new GitOperationError('invalid-input', `'${ref}' is not a branch, tag or commit name (after the # of ${text})`);
  return { url, ref };
}

function gitFailure(e: unknown, url: string, ref?: string): Error {
  if (e instanceof GitRunError) return e.cancelled ? new GitOperationError('cancelled', 'Fetch cancelled') : classifyGitFailure(e.stderr, withoutCredentials(url), ref);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Resolves the ref on the remote with `git ls-remote`, in git's own order
 * (exact ref, tag, branch), so a wrong URL, an unreachable host or an unknown
 * ref fails before anything is fetched or any container starts.
 */
export async function resolveGitSource(source: GitSource, signal?: AbortSignal): Promise<ResolvedGitSource> {
  let stdout: string;
  try {
    stdout = (await runGit(undefined, ['ls-remote', '--', source.url], { signal })).stdout;
  } catch (e) {
    throw gitFailure(e, source.url, source.ref);
  }
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [hash, name] = line.split('\t');
    if (hash && name) refs.set(name, hash);
  }
  if (FULL_HASH.test(source.ref)) return { ...source, refName: null, kind: 'commit', commit: source.ref.toLowerCase() };
  for (const name of [source.ref, `refs/${source.ref}`, `refs/tags/${source.ref}`, `refs/heads/${source.ref}`]) {
    const hash = refs.get(`${name}^{}`) ?? refs.get(name);
    if (!hash) continue;
    const kind = name === 'HEAD' ? 'head' : name.startsWith('refs/tags/') ? 'tag' : name.startsWith('refs/heads/') ? 'branch' : 'other';
    return { ...source, refName: name, kind, commit: hash };
  }
  const shown = withoutCredentials(source.url);
  if (source.ref === 'HEAD') throw new GitOperationError('unknown-ref', `${shown} has no default branch (HEAD): name a branch, tag or commit after #`);
  if (/^[0-9a-f]{4,39}$/i.test(source.ref)) throw new GitOperationError('unknown-ref', `'${source.ref}' is no branch or tag of ${shown}; give a commit as its full hash (40 hex digits)`);
  throw new GitOperationError('unknown-ref', `No branch or tag '${source.ref}' in ${shown} (a commit is given as its full hash)`);
}

/** The repository's name from its URL (`…/moby.git` → `moby`), for the checkout's folder and so the tree's display name. */
export function repositoryName(url: string): string {
  const last = url.replace(/[/\\]+$/, '').split(/[/:\\]/).pop() ?? '';
  return last.replace(/\.git$/i, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '') || 'repository';
}

/** The URL without a user name or token in it (`https://user:token@host/…`), for logs and labels. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/** Where a fetch reports: git's lines (progress redraws excepted), and progress per phase. */
export interface FetchReport {
  line(text: string): void;
  progress(phase: string, percent: number, processed: number, total: number): void;
}

/**
 * Fetches exactly one commit (depth 1) into `dir` and checks it out
 * detached: no history, no other branches, nothing of the workspace.
 */
export async function fetchOneCommit(dir: string, src: ResolvedGitSource, report: FetchReport, signal?: AbortSignal): Promise<string> {
  // git's progress redraws are reported as progress, once per phase and percent; its other lines as lines.
  const onOutput = (line: string) => {
    if (!PROGRESS_LINE.test(line)) report.line(line);
  };
  let last = '';
  const progress = (e: SimpleGitProgressEvent) => {
    if (`${e.stage} ${e.progress}` === last) return;
    last = `${e.stage} ${e.progress}`;
    report.progress(e.stage, e.progress, e.processed, e.total);
  };
  try {
    await runGit(undefined, ['init', '-q', '--', dir], { signal });
    // --progress before `--`: simple-git's progress plugin would append it after the refspec otherwise.
    await runGit(dir, ['fetch', '--progress', '--depth', '1', '--no-tags', '--', src.url, src.refName ?? src.commit], { signal, onOutput, progress });
    await runGit(dir, ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', 'FETCH_HEAD^{commit}'], { signal });
    // FETCH_HEAD names the URL as given, token and all; the tree (.git included) is copied into the build container.
    await fs.rm(path.join(dir, '.git', 'FETCH_HEAD'), { force: true });
    return (await runGit(dir, ['rev-parse', 'HEAD'], { signal })).stdout.trim();
  } catch (e) {
    throw gitFailure(e, src.url, src.ref);
  }
}
