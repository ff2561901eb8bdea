import * as os from 'os';
import * as path from 'path';
import { clearCacheVolumes, listCacheVolumes } from '../core/build/cacheVolumes';
import { createDockerClient } from '../core/engine/client';
import { resolveEngine } from '../core/engine/endpoint';
import { detectRepository } from '../core/repo/detect';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const CACHE_USAGE = 'dockerfork cache [list|clear] [--cwd DIR]';
export const CACHE_SUMMARY = `List (default) or remove the build cache volumes (Go build and module
caches) of the repository at DIR. Clearing is refused while it builds.`;

/**
 * Lists or removes the build cache volumes (Go build and module caches) of
 * the repository at --cwd, on the engine builds use. Clearing is refused
 * while a build of that repository runs.
 */
export async function cacheCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { cwd: 'string' });
  if (help) return printCommandHelp(io, CACHE_USAGE, CACHE_SUMMARY);
  const [action = 'list', ...extra] = positionals;
  if (extra.length) throw new UsageError(`cache takes one action, got '${positionals.join(' ')}'`);
  if (action !== 'list' && action !== 'clear') throw new UsageError(`unknown cache action '${action}' (list or clear)`);
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const repo = await detectRepository(cwd);
  if (!repo) throw new Error(`No Docker repository at ${cwd} (see 'dockerfork detect').`);
  const env = process.env as Record<string, string | undefined>;
  const docker = await createDockerClient(await resolveEngine({ env, homeDir: os.homedir() }), { env: process.env });
  if (action === 'list') {
    const volumes = await listCacheVolumes(docker, repo.root);
    if (!volumes.length) io.out(`No build caches for ${repo.root}.\n`);
    for (const v of volumes) io.out(`${v.name}  ${v.id.padEnd(9)} ${v.image}${v.createdAt ? `  created ${v.createdAt}` : ''}\n`);
    return 0;
  }
  const removed = await clearCacheVolumes(docker, repo.root);
  io.out(removed.length ? `Removed ${removed.length} build cache volume(s) of ${repo.root}: ${removed.map((v) => v.name).join(', ')}\n` : `No build caches for ${repo.root}.\n`);
  return 0;
}
