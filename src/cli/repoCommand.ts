import * as path from 'path';
import { GitOperationError } from '../core/git/errors';
import { RemoteInfo, repositoryStatus, RepositoryStatus } from '../core/git/status';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const REPO_USAGE = 'dockerfork repo status [--cwd DIR] [--json]';
export const REPO_SUMMARY = `Show what the Repository view shows for the git repository at DIR: kind
and build era, branch or detached commit, uncommitted changes, remotes (fork
and upstream) and how far HEAD is ahead of / behind the upstream. Reads
only; fetch upstream first for fresh ahead/behind figures.`;

export function formatRemote(r: RemoteInfo): string {
  return `${r.name}\t${r.fetchUrl}${r.pushUrl && r.pushUrl !== r.fetchUrl ? ` (push ${r.pushUrl})` : ''} (${r.role})`;
}

function formatStatus(s: RepositoryStatus): string {
  const lines = [`Repository: ${s.root}`];
  lines.push(s.kind ? `Kind: ${s.kindLabel}; era: ${s.eraLabel}` : 'Kind: not a Docker source tree');
  const h = s.head;
  const short = h.commit?.slice(0, 12) ?? '(no commit yet)';
  lines.push(h.branch ? `HEAD: branch ${h.branch} at ${short}` : `HEAD: detached at ${short}${h.tags.length ? ` (${h.tags.join(', ')})` : ''}`);
  const d = s.dirty;
  lines.push(d.changedFiles === 0 ? 'Working tree: clean' : `Working tree: ${d.changedFiles} changed file${d.changedFiles === 1 ? '' : 's'} (${d.trackedChanges} tracked, ${d.untracked} untracked${d.conflicted ? `, ${d.conflicted} conflicted` : ''})`);
  lines.push('Remotes:', ...(s.remotes.length ? s.remotes.map((r) => `  ${formatRemote(r)}`) : ['  none']));
  const u = s.upstreamComparison;
  lines.push(u ? `Upstream: ahead ${u.ahead}, behind ${u.behind} (${u.ref})` : 'Upstream: nothing to compare with (no upstream remote, or not fetched)');
  return lines.join('\n') + '\n';
}

/** `dockerfork repo status`: exit 0 with the status, 1 when DIR is not in a git repository. */
export async function repoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { cwd: 'string', json: 'boolean' });
  if (help) return printCommandHelp(io, REPO_USAGE, REPO_SUMMARY);
  const [sub, ...extra] = positionals;
  if (sub !== 'status') throw new UsageError(sub === undefined ? 'repo needs a subcommand: status' : `unknown repo subcommand '${sub}' (known: status)`);
  if (extra.length) throw new UsageError(`repo status takes no arguments, got '${extra[0]}'`);
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  let status: RepositoryStatus;
  try {
    status = await repositoryStatus(cwd);
  } catch (e) {
    if (e instanceof GitOperationError) {
      io.err(`dockerfork: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  io.out(flags.has('json') ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
  return 0;
}
