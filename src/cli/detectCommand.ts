import * as path from 'path';
import { findRepositories } from '../core/repo/detect';
import { KIND_LABELS } from '../core/repo/repositoryKind';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const DETECT_USAGE = 'dockerfork detect [--cwd DIR] [--depth N] [--json]';
export const DETECT_SUMMARY = `List the Docker source trees (moby, docker-ce, docker/cli, vendored
components) at DIR and below it. Exit 1 when there is none.`;

/** Lists the Docker source trees at a folder (and below it, to --depth). */
export async function detectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { cwd: 'string', depth: 'string', json: 'boolean' });
  if (help) return printCommandHelp(io, DETECT_USAGE, DETECT_SUMMARY);
  if (positionals.length > 0) throw new UsageError(`detect takes no arguments, got '${positionals[0]}'`);
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const depthText = String(flags.get('depth') ?? '1');
  const depth = Number(depthText);
  if (!Number.isInteger(depth) || depth < 0 || depth > 3) throw new UsageError(`--depth must be a whole number from 0 to 3, got '${depthText}'`);
  const repos = await findRepositories(cwd, depth);
  if (flags.has('json')) {
    io.out(JSON.stringify(repos, null, 2) + '\n');
  } else if (repos.length === 0) {
    io.err(`No Docker repository at ${cwd} (looked ${depth} level(s) down for hack/make.sh, vendor.conf, vendor.mod, docker-bake.hcl, components/engine, docker.Makefile).\n`);
  } else {
    for (const r of repos) io.out(`${r.root}\t${KIND_LABELS[r.kind]}\t${r.markers.join(', ')}\n`);
  }
  return repos.length > 0 ? 0 : 1;
}
