import * as path from 'path';
import { gitAt, VendorGitError } from './gitRemote';

/** Where "upstream" is for a checkout: a remote-tracking branch such as `upstream/master`. */
export interface UpstreamBranch {
  remote: string;
  branch: string;
  /** `REMOTE/BRANCH`, usable as a revision. */
  revision: string;
}

async function tryRaw(dir: string, args: string[]): Promise<string | null> {
  try {
    return (await gitAt(dir).raw(args)).trim() || null;
  } catch {
    return null;
  }
}

/**
 * The upstream of a checkout, from what git already knows (no fetch): the
 * remote named `upstream`, else `origin`; its branch that the current branch
 * tracks, else its default branch (`REMOTE/HEAD`), else the branch of the same
 * name as the current one.
 */
export async function findUpstreamBranch(repoDir: string): Promise<UpstreamBranch> {
  const git = gitAt(repoDir);
  let remotes: string[];
  try {
    remotes = (await git.getRemotes()).map((r) => r.name);
  } catch (e) {
    throw new VendorGitError(`${repoDir} is not a git checkout: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const remote = remotes.includes('upstream') ? 'upstream' : remotes.includes('origin') ? 'origin' : null;
  if (remote === null) throw new VendorGitError(`${repoDir} has no remote named 'upstream' or 'origin'; add one with: git remote add upstream URL`);
  const tracked = await tryRaw(repoDir, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  const candidates: string[] = [];
  if (tracked?.startsWith(`${remote}/`)) candidates.push(tracked);
  const head = await tryRaw(repoDir, ['symbolic-ref', '--short', `refs/remotes/${remote}/HEAD`]);
  if (head) candidates.push(head);
  const current = await tryRaw(repoDir, ['branch', '--show-current']);
  if (current) candidates.push(`${remote}/${current}`);
  for (const revision of candidates) {
    if (await tryRaw(repoDir, ['rev-parse', '--verify', '--quiet', `refs/remotes/${revision}`])) {
      return { remote, branch: revision.slice(remote.length + 1), revision };
    }
  }
  throw new VendorGitError(`cannot tell which branch of '${remote}' is upstream in ${repoDir}: fetch it (git fetch ${remote}) and set its default (git remote set-head ${remote} --auto)`);
}

/** A file as it stands in the upstream branch (as last fetched), and where it came from. */
export async function readUpstreamFile(repoDir: string, file: string): Promise<{ text: string; upstream: UpstreamBranch; relativePath: string }> {
  const upstream = await findUpstreamBranch(repoDir);
  const top = (await tryRaw(repoDir, ['rev-parse', '--show-toplevel'])) ?? repoDir;
  const relativePath = path.relative(top, path.resolve(repoDir, file)).split(path.sep).join('/');
  try {
    const text = await gitAt(repoDir).raw(['show', `${upstream.revision}:${relativePath}`]);
    return { text, upstream, relativePath };
  } catch {
    throw new VendorGitError(`${relativePath} does not exist in ${upstream.revision}`);
  }
}
