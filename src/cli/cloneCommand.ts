import * as path from 'path';
import { cloneRepository, CloneProgressEvent, CloneResult } from '../core/git/clone';
import { GitOperationError } from '../core/git/errors';
import { defaultCloneDirectory, DOCKER_SOURCES } from '../core/git/sources';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';
import { formatRemote } from './repoCommand';

export const CLONE_USAGE = 'dockerfork clone SOURCE [DIR] [--fork URL] [--ref REF] [--filter blob:none] [--json]';
export const CLONE_SUMMARY = `Clone a Docker repository set up as a fork: SOURCE is ${Object.keys(DOCKER_SOURCES).join(', ')}
or a git URL; with --fork URL your fork is origin and SOURCE is upstream.
--ref checks out a branch, tag or commit; --filter blob:none makes a partial
clone (blobs fetched when needed). DIR defaults to the repository's name and
must not exist or be empty. --json prints progress events (phase, percent)
and a final result, one JSON object a line. Ctrl-C cancels and removes the
half-made clone.`;

/** `dockerfork clone`: exit 0 with the clone made, 1 when it failed (nothing left behind), 130 when cancelled. */
export async function cloneCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { fork: 'string', ref: 'string', filter: 'string', json: 'boolean' });
  if (help) return printCommandHelp(io, CLONE_USAGE, CLONE_SUMMARY);
  if (positionals.length === 0) throw new UsageError('clone needs a SOURCE: moby, cli, docker-ce, swarmkit, containerd or a URL');
  if (positionals.length > 2) throw new UsageError(`clone takes SOURCE and DIR, got ${positionals.length} arguments`);
  const filter = flags.get('filter');
  if (filter !== undefined && filter !== 'blob:none') throw new UsageError(`--filter must be blob:none, got '${filter}'`);
  const [source, dirArg] = positionals;
  const dir = path.resolve(io.cwd, dirArg ?? defaultCloneDirectory(source));
  const json = flags.has('json');
  let lastLine = '';
  const onProgress = (e: CloneProgressEvent) => {
    if (json) {
      io.out(JSON.stringify({ type: 'progress', ...e }) + '\n');
      return;
    }
    // One line per phase and ten-percent step, not git's every redraw.
    const line = `${e.phase}: ${Math.floor(e.percent / 10) * 10}%`;
    if (line !== lastLine) io.err(`${line}\n`);
    lastLine = line;
  };
  let result: CloneResult;
  try {
    result = await cloneRepository({
      source,
      dir,
      fork: flags.has('fork') ? String(flags.get('fork')) : undefined,
      ref: flags.has('ref') ? String(flags.get('ref')) : undefined,
      filter: filter === 'blob:none' ? filter : undefined,
      signal,
      onProgress,
    });
  } catch (e) {
    if (!(e instanceof GitOperationError)) throw e;
    if (json) io.out(JSON.stringify({ type: 'error', kind: e.kind, message: e.message }) + '\n');
    else io.err(`dockerfork: ${e.message}\n`);
    return e.kind === 'cancelled' ? 130 : 1;
  }
  if (json) {
    io.out(JSON.stringify({ type: 'result', ...result }) + '\n');
  } else {
    const h = result.head;
    io.out(`Cloned into ${result.directory}\n`);
    io.out(`HEAD: ${h.branch ? `branch ${h.branch} at ${h.commit?.slice(0, 12)}` : `detached at ${h.commit?.slice(0, 12)}${h.tags.length ? ` (${h.tags.join(', ')})` : ''}`}\n`);
    for (const r of result.remotes) io.out(`${formatRemote(r)}\n`);
  }
  return 0;
}
