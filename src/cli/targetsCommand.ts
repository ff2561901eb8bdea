import * as path from 'path';
import { findRepositories } from '../core/repo/detect';
import { resolveTargets } from '../core/repo/catalog';
import { KIND_LABELS } from '../core/repo/repositoryKind';
import { detectEra, ERA_LABELS } from '../core/repo/targets';
import { formatProblem, readWorkspaceBuildSettings } from '../core/repo/workspaceSettings';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const TARGETS_USAGE = 'dockerfork targets [--cwd DIR] [--json]';
export const TARGETS_SUMMARY = `List each repository's build era and targets (* marks the default).
--json keeps the internal era id (era) next to its description (eraLabel).`;

/** Lists the build targets of the Docker repositories at --cwd (and one level down). */
export async function targetsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { cwd: 'string', json: 'boolean' });
  if (help) return printCommandHelp(io, TARGETS_USAGE, TARGETS_SUMMARY);
  if (positionals.length) throw new UsageError(`targets takes no arguments, got '${positionals[0]}'`);
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const repos = await findRepositories(cwd, 1);
  const listed = await Promise.all(repos.map(async (repo) => ({ repo, era: await detectEra(repo), ...(await resolveTargets(repo, await readWorkspaceBuildSettings(repo.root))) })));
  if (flags.has('json')) {
    io.out(JSON.stringify(listed.map(({ repo, era, recipes, problems }) => ({ root: repo.root, kind: repo.kind, era, eraLabel: ERA_LABELS[era], targets: recipes, problems: problems.map(formatProblem) })), null, 2) + '\n');
  } else {
    for (const { repo, era, recipes: targets } of listed) {
      io.out(`${repo.root}\n  ${era === 'unknown' ? `${KIND_LABELS[repo.kind]}, ` : ''}${ERA_LABELS[era]}\n`);
      for (const t of targets) io.out(`  ${t.isDefault ? '*' : ' '} ${t.id.padEnd(14)} ${t.executor.padEnd(9)} ${t.description}\n`);
    }
  }
  // Bad settings entries are reported next to the targets that could be made, as the editor's Build Targets view does.
  for (const p of listed.flatMap((l) => l.problems)) io.err(`warning: ${formatProblem(p)}\n`);
  if (repos.length === 0) io.err(`No Docker repository at ${cwd}.\n`);
  return repos.length ? 0 : 1;
}
