import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { simpleGit, SimpleGit, SimpleGitOptions } from 'simple-git';
import { isAllowedTag, compareSemver, pathMajor, pseudoVersion } from './semver';

/** A failure to reach a repository or find a ref in it, with a message fit for the user. */
export class VendorGitError extends Error {}

/** How long one git network operation may block before it is abandoned. */
const GIT_TIMEOUT_MS = 120_000;

/**
 * Variables simple-git refuses to pass on (they make git run other programs);
 * none is needed to list or fetch refs. GIT_SSH / GIT_SSH_COMMAND are kept
 * (a fork over ssh may need them), which simple-git allows when told.
 */
const DROPPED_ENV = /^(editor|pager|prefix|ssh_askpass|git_askpass|git_config.*|git_editor|git_exec_path|git_external_diff|git_pager|git_proxy_command|git_template_dir|git_sequence_editor)$/i;

/**
 * A simple-git that never prompts for credentials (a prompt would hang the CLI or the editor).
 * `extra` adds simple-git plugins such as `progress` and `abort` (the clone uses both).
 */
export function gitAt(dir?: string, extra: Pick<Partial<SimpleGitOptions>, 'progress' | 'abort'> = {}): SimpleGit {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED_ENV.test(k)) env[k] = v;
  env.GIT_TERMINAL_PROMPT = '0';
  return simpleGit({ ...extra, baseDir: dir, timeout: { block: GIT_TIMEOUT_MS }, unsafe: { allowUnsafeSshCommand: true } }).env(env);
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').map((l) => l.trim()).filter(Boolean).find((l) => /fatal|error|not found|denied|refused|could not/i.test(l)) ?? text.split('\n')[0];
}

function checkUrl(url: string): void {
  if (url === '' || url.startsWith('-') || /\s/.test(url)) throw new VendorGitError(`'${url}' is not a repository URL`);
}

const FULL_HASH = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** A ref resolved on a remote: what was asked, the ref it matched, and its commit. */
export interface ResolvedRef {
  url: string;
  /** The ref as given (`main`, `v1.2.3`, a commit hash). */
  ref: string;
  /** The full ref name it matched (`refs/heads/main`), or null for a commit hash. */
  refName: string | null;
  /** The commit (for an annotated tag, the commit it points at). */
  commit: string;
  kind: 'branch' | 'tag' | 'commit' | 'other';
}

/**
 * Resolves a branch or tag (or HEAD) on a remote with `git ls-remote`, in
 * git's own order (exact ref, refs/tags/REF, refs/heads/REF). A full commit
 * hash is taken as is once the repository is known to answer.
 * Throws VendorGitError for an unreachable repository or an unknown ref.
 */
export async function resolveRemoteRef(url: string, ref = 'HEAD'): Promise<ResolvedRef> {
  checkUrl(url);
  let out: string;
  try {
    out = await gitAt().listRemote([url]);
  } catch (e) {
    throw new VendorGitError(`cannot reach repository ${url}: ${firstLine(e)}`);
  }
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [hash, name] = line.split('\t');
    if (hash && name) refs.set(name, hash);
  }
  if (FULL_HASH.test(ref)) return { url, ref, refName: null, commit: ref, kind: 'commit' };
  for (const name of [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`]) {
    const hash = refs.get(`${name}^{}`) ?? refs.get(name);
    if (hash) {
      const kind = name.startsWith('refs/tags/') ? 'tag' : name.startsWith('refs/heads/') ? 'branch' : 'other';
      return { url, ref, refName: name, commit: hash, kind };
    }
  }
  if (/^[0-9a-f]{7,39}$/.test(ref)) throw new VendorGitError(`'${ref}' is not a branch or tag of ${url}; give an abbreviated commit in full (40 hex digits)`);
  throw new VendorGitError(`no branch or tag '${ref}' in ${url}`);
}

/** A commit of a fork and the Go version that names it. */
export interface ForkCommit extends ResolvedRef {
  /** Committer time. */
  time: Date;
  /** The highest allowed semver tag reachable from the commit, or null. */
  baseTag: string | null;
  /** The tag on the commit itself when Go would use it as the version, else null. */
  exactTag: string | null;
  /** The version Go would write for the commit: its tag, or the canonical pseudo-version. */
  version: string;
}

/**
 * Fetches a fork's branches and tags into a temporary bare repository and
 * works out the Go version for a ref of it, as `go` would for module
 * `modulePath`: the commit's own semver tag, else the pseudo-version based on
 * the highest semver tag reachable from it (committer time in UTC, 12-digit hash).
 */
export async function describeForkCommit(url: string, ref: string | undefined, modulePath: string): Promise<ForkCommit> {
  const resolved = await resolveRemoteRef(url, ref ?? 'HEAD');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerfork-vendor-'));
  try {
    const git = gitAt(dir);
    await git.init(true);
    try {
      await git.raw(['fetch', '--quiet', '--no-tags', '--', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*']);
    } catch (e) {
      throw new VendorGitError(`cannot fetch ${url}: ${firstLine(e)}`);
    }
    if (!(await hasCommit(git, resolved.commit))) {
      try {
        // Not on any branch or tag: servers that allow fetching reachable commits by hash still give it.
        await git.raw(['fetch', '--quiet', '--no-tags', '--', url, resolved.commit]);
      } catch {
        throw new VendorGitError(`commit ${resolved.commit} is not in ${url}`);
      }
    }
    const [hash, seconds] = (await git.raw(['log', '-1', '--format=%H %ct', resolved.commit, '--'])).trim().split(' ');
    const time = new Date(Number(seconds) * 1000);
    const allowed = (tags: string) => tags.split('\n').map((t) => t.trim()).filter((t) => t !== '' && isAllowedTag(t, modulePath));
    const highest = (tags: string[]) => tags.reduce<string | null>((best, t) => (best === null || compareSemver(t, best) > 0 ? t : best), null);
    const exactTag = highest(allowed(await git.raw(['tag', '--points-at', hash])));
    const baseTag = highest(allowed(await git.raw(['tag', '--merged', hash])));
    const version = exactTag ?? pseudoVersion({ major: pathMajor(modulePath), base: baseTag, time, hash });
    return { ...resolved, commit: hash, time, baseTag, exactTag, version };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function hasCommit(git: SimpleGit, commit: string): Promise<boolean> {
  try {
    await git.raw(['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}
