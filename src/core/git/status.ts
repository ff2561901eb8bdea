import * as path from 'path';
import { DetectedRepository, detectRepository } from '../repo/detect';
import { KIND_LABELS, RepositoryKind } from '../repo/repositoryKind';
import { BuildEra, detectEra, ERA_LABELS } from '../repo/targets';
import { GitOperationError } from './errors';
import { gitQuery } from './run';

/** What a remote is to a fork maintainer. */
export type RemoteRole =
  | 'fork'      // origin when an `upstream` remote exists, or a remote named `fork`: the user's fork, where pushes go
  | 'upstream'  // `upstream`, or `origin` when there is no `upstream` (a plain clone of the canonical repository)
  | 'other';

export interface RemoteInfo {
  name: string;
  fetchUrl: string;
  pushUrl: string;
  role: RemoteRole;
}

/** Where HEAD is: a branch, or a detached commit (with the tags on it). */
export interface HeadInfo {
  /** Full commit hash, or null in a repository without commits. */
  commit: string | null;
  /** The branch checked out, or null when HEAD is detached. */
  branch: string | null;
  detached: boolean;
  /** Tags pointing at the commit (a detached checkout of a release tag shows it). */
  tags: string[];
}

export interface DirtyState {
  /** Files with any change: staged, unstaged, untracked or conflicted (each file once). */
  changedFiles: number;
  /** Files with staged or unstaged changes to tracked content: what a checkout or rebase could lose. */
  trackedChanges: number;
  untracked: number;
  conflicted: number;
}

/** HEAD against the upstream branch it is compared with. */
export interface UpstreamComparison {
  /** `upstream/master`, `upstream/v24.0`, …: the remote-tracking ref compared against. */
  ref: string;
  /** Commits on HEAD that are not on `ref`. */
  ahead: number;
  /** Commits on `ref` that are not on HEAD. */
  behind: number;
}

/** Everything the Repository view shows for one folder. */
export interface RepositoryStatus {
  /** The top of the git work tree. */
  root: string;
  /** The Docker tree detected at the root, or null when it is not one (still a git repository). */
  repository: DetectedRepository | null;
  kind: RepositoryKind | null;
  kindLabel: string | null;
  era: BuildEra | null;
  eraLabel: string | null;
  head: HeadInfo;
  dirty: DirtyState;
  remotes: RemoteInfo[];
  /** The remote with role `upstream`, or null without one. */
  upstreamRemote: string | null;
  /** The remote with role `fork`, or null without one. */
  forkRemote: string | null;
  /** null when there is no upstream remote or no ref to compare with (not fetched yet). */
  upstreamComparison: UpstreamComparison | null;
}

/**
 * Remotes of the repository at `dir` with their roles: origin is the fork only
 * when an `upstream` exists; without one it is the canonical repository.
 */
export async function listRemotes(dir: string): Promise<RemoteInfo[]> {
  const out = (await gitQuery(dir, ['remote', '-v'])) ?? '';
  const byName = new Map<string, { fetchUrl: string; pushUrl: string }>();
  for (const line of out.split('\n')) {
    // A partial clone's fetch line ends in its filter: `origin\tURL (fetch) [blob:none]`.
    const m = /^(\S+)\t(.*) \((fetch|push)\)(?: \[[^\]]*\])?$/.exec(line.trim());
    if (!m) continue;
    const entry = byName.get(m[1]) ?? { fetchUrl: '', pushUrl: '' };
    if (m[3] === 'fetch') entry.fetchUrl = m[2];
    else entry.pushUrl = m[2];
    byName.set(m[1], entry);
  }
  const hasUpstream = byName.has('upstream');
  return [...byName].map(([name, urls]) => ({
    name,
    ...urls,
    role: name === 'upstream' ? 'upstream' : name === 'fork' ? 'fork' : name === 'origin' ? (hasUpstream ? 'fork' : 'upstream') : 'other',
  }));
}

export async function readHead(dir: string): Promise<HeadInfo> {
  const commit = (await gitQuery(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])) || null;
  const branch = (await gitQuery(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])) || null;
  const tags = commit ? ((await gitQuery(dir, ['tag', '--points-at', commit])) ?? '').split('\n').filter(Boolean) : [];
  return { commit, branch, detached: branch === null, tags };
}

/** Parses `git status --porcelain=v1 -z`. */
export function parsePorcelain(z: string): DirtyState {
  const entries = z.split('\0');
  let changedFiles = 0;
  let trackedChanges = 0;
  let untracked = 0;
  let conflicted = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.length < 4) continue;
    const x = e[0];
    const y = e[1];
    changedFiles++;
    if (x === '?' && y === '?') untracked++;
    else if (x === '!' && y === '!') changedFiles--;
    else {
      trackedChanges++;
      if (x === 'U' || y === 'U' || (x === 'A' && y === 'A') || (x === 'D' && y === 'D')) conflicted++;
    }
    if (x === 'R' || x === 'C') i++; // the rename's source path follows as its own entry
  }
  return { changedFiles, trackedChanges, untracked, conflicted };
}

export async function readDirtyState(dir: string): Promise<DirtyState> {
  const z = await gitQuery(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=normal']);
  if (z === undefined) throw new GitOperationError('failed', `git status failed in ${dir}`);
  return parsePorcelain(z);
}

/**
 * The ref HEAD is compared with on `remote`: `remote/<branch>` when the
 * remote has the branch checked out, else the remote's default branch
 * (remote/HEAD, or main / master when that is not recorded).
 */
export async function upstreamBaseRef(dir: string, remote: string, branch: string | null): Promise<string | null> {
  const candidates: string[] = [];
  if (branch) candidates.push(`refs/remotes/${remote}/${branch}`);
  const head = await gitQuery(dir, ['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
  if (head) candidates.push(head);
  candidates.push(`refs/remotes/${remote}/main`, `refs/remotes/${remote}/master`);
  for (const ref of candidates) {
    if (await gitQuery(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) return ref.replace(/^refs\/remotes\//, '');
  }
  return null;
}

/** The git work tree at `dir` (its top), or a GitOperationError when `dir` is not in one. */
export async function workTreeRoot(dir: string): Promise<string> {
  const top = await gitQuery(path.resolve(dir), ['rev-parse', '--show-toplevel']);
  if (!top) throw new GitOperationError('invalid-input', `${path.resolve(dir)} is not in a git repository`);
  return top;
}

/** What the Repository view shows for the git repository at `dir`. Reads only; runs no network command. */
export async function repositoryStatus(dir: string): Promise<RepositoryStatus> {
  const root = await workTreeRoot(dir);
  const [repository, head, dirty, remotes] = await Promise.all([detectRepository(root), readHead(root), readDirtyState(root), listRemotes(root)]);
  const era = repository ? await detectEra(repository) : null;
  const upstreamRemote = remotes.find((r) => r.role === 'upstream')?.name ?? null;
  const forkRemote = remotes.find((r) => r.role === 'fork')?.name ?? null;
  let upstreamComparison: UpstreamComparison | null = null;
  if (upstreamRemote && head.commit) {
    const ref = await upstreamBaseRef(root, upstreamRemote, head.branch);
    const counts = ref ? await gitQuery(root, ['rev-list', '--left-right', '--count', `HEAD...refs/remotes/${ref}`]) : undefined;
    const m = counts ? /^(\d+)\s+(\d+)$/.exec(counts) : null;
    if (ref && m) upstreamComparison = { ref, ahead: Number(m[1]), behind: Number(m[2]) };
  }
  return {
    root,
    repository: repository ?? null,
    kind: repository?.kind ?? null,
    kindLabel: repository ? KIND_LABELS[repository.kind] : null,
    era,
    eraLabel: era ? ERA_LABELS[era] : null,
    head,
    dirty,
    remotes,
    upstreamRemote,
    forkRemote,
    upstreamComparison,
  };
}
