import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../core/build/buildRunner';
import { Artifact, BuildEvent } from '../core/build/events';
import { buildFromGit } from '../core/build/gitSourceBuild';
import { parseGitSource } from '../core/git/oneCommit';
import { GitOperationError } from '../core/git/errors';
import { applyOverrides, isBuilderChoice, RecipeOverrides } from '../core/build/recipe';
import { detectRepository } from '../core/repo/detect';
import { resolveTargets } from '../core/repo/catalog';
import { formatProblem, readWorkspaceBuildSettings } from '../core/repo/workspaceSettings';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const BUILD_USAGE = 'dockerfork build [TARGET] [--cwd DIR | --git URL#REF --out DIR [--force]] [--image IMAGE] [--builder auto|buildkit|legacy] [--no-privileged] [--json]';
export const BUILD_SUMMARY = `Build TARGET (default: the repository's default target) in a container
or with the repository's own make, streaming its output. --json prints
one event per line (log, progress, artifact, done). Builder images are
built with BuildKit where the engine has it (--builder to choose). The exit
code is the build's; Ctrl-C cancels it and removes its container.
With --git URL#REF, builds that branch, tag or commit (default: the
remote's default branch) without cloning it: one commit is fetched into a
temporary folder, built in a throwaway container with the source copied in,
and the artifacts land in --out DIR (new or empty; --force replaces the
artifacts in a non-empty one). --cwd is not used then.`;

/**
 * Builds one target of the repository at --cwd; the exit code is the
 * build's. With --json, every event is one JSON line on stdout.
 */
export async function buildCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, {
    cwd: 'string',
    git: 'string',
    out: 'string',
    force: 'boolean',
    image: 'string',
    builder: 'string',
    'no-privileged': 'boolean',
    json: 'boolean',
  });
  if (help) return printCommandHelp(io, BUILD_USAGE, BUILD_SUMMARY);
  if (positionals.length > 1) throw new UsageError(`build takes one target, got ${positionals.length}`);
  const builder = flags.get('builder');
  if (builder !== undefined && !isBuilderChoice(builder)) throw new UsageError(`--builder must be auto, buildkit or legacy, got '${builder}'`);
  const json = flags.has('json');
  // A --git build's artifacts are named where they landed (in --out), a repository's by their path in it.
  const where = (a: Artifact) => (flags.has('git') ? a.path : a.relativePath);
  const print = (e: BuildEvent) => {
    if (json) io.out(JSON.stringify(e) + '\n');
    else if (e.type === 'log') (e.stream === 'stderr' ? io.err : io.out)(e.text);
    else if (e.type === 'artifact') io.out(`artifact ${where(e.artifact)} ${e.artifact.size} bytes sha256:${e.artifact.sha256}${e.artifact.version ? ` (${e.artifact.version})` : ''}\n`);
  };
  const overrides = {
    image: flags.has('image') ? String(flags.get('image')) : undefined,
    privileged: flags.has('no-privileged') ? false : undefined,
    builder,
  };
  if (flags.has('git')) return buildGitRef(positionals[0], flags, overrides, io, print, json, signal);
  if (flags.has('out')) throw new UsageError('--out is for --git builds; a build of --cwd leaves its artifacts in the repository');
  if (flags.has('force')) throw new UsageError('--force is for --git builds (an output folder that is not empty)');
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const repo = await detectRepository(cwd);
  if (!repo) throw new Error(`No Docker repository at ${cwd} (see 'dockerfork detect').`);
  const { recipes: targets, problems } = await resolveTargets(repo, await readWorkspaceBuildSettings(repo.root));
  for (const p of problems) io.err(`warning: ${formatProblem(p)}\n`);
  const wanted = positionals[0];
  const target = wanted ? targets.find((t) => t.id === wanted) : targets.find((t) => t.isDefault) ?? targets[0];
  if (!target) {
    throw new UsageError(wanted ? `unknown target '${wanted}' in ${repo.root}; targets: ${targets.map((t) => t.id).join(', ') || 'none'}` : `no build targets in ${repo.root}`);
  }
  const recipe = applyOverrides(target, overrides);
  const result = await new BuildRunner().run(recipe, { listener: print, signal, engineEnv: { env: process.env, homeDir: os.homedir() } });
  if (result.cancelled) return 130;
  if (result.error) return 1;
  return result.exitCode ?? 1;
}

/**
 * `build --git URL#REF --out DIR`: the ref built in a throwaway container,
 * its artifacts in DIR. Bad input before the build exits 1 with the reason
 * (2 for a malformed command line), a cancel 130.
 */
async function buildGitRef(
  target: string | undefined,
  flags: Map<string, string | true>,
  overrides: RecipeOverrides,
  io: CliIo,
  print: (e: BuildEvent) => void,
  json: boolean,
  signal?: AbortSignal,
): Promise<number> {
  if (flags.has('cwd')) throw new UsageError('--cwd is not used with --git: the source is the ref, fetched into a temporary folder');
  const out = flags.get('out');
  if (out === undefined) throw new UsageError('--git needs --out DIR, the folder the artifacts land in');
  let source;
  try {
    source = parseGitSource(String(flags.get('git')));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  try {
    const result = await buildFromGit({
      source,
      target,
      outDir: path.resolve(io.cwd, String(out)),
      force: flags.has('force'),
      overrides,
      listener: print,
      signal,
      engineEnv: { env: process.env, homeDir: os.homedir() },
    });
    if (result.cancelled) return 130;
    if (result.error) return 1;
    return result.exitCode ?? 1;
  } catch (e) {
    if (!(e instanceof GitOperationError)) throw e;
    if (json) io.out(JSON.stringify({ type: 'error', kind: e.kind, message: e.message }) + '\n');
    else io.err(`dockerfork: ${e.message}\n`);
    return e.kind === 'cancelled' ? 130 : 1;
  }
}
