import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type Docker from 'dockerode';
import { createDockerClient } from '../engine/client';
import { EngineEnvironment, resolveEngine } from '../engine/endpoint';
import { GitOperationError } from '../git/errors';
import { fetchOneCommit, GitSource, parseGitSource, repositoryName, ResolvedGitSource, resolveGitSource, withoutCredentials } from '../git/oneCommit';
import { detectRepository } from '../repo/detect';
import { listTargets } from '../repo/targets';
import { BuildRunner } from './buildRunner';
import { Artifact, BuildEvent, BuildListener, BuildResult } from './events';
import { LABEL_REPO } from './executor';
import { applyOverrides, ContainerRecipe, RecipeOverrides } from './recipe';

export interface GitBuildOptions {
  /** `URL#REF` or `URL` (its default branch), or the parts already split. */
  readonly source: string | GitSource;
  /** A target id of the fetched tree; default its default target. */
  readonly target?: string;
  /** Where the artifacts land, under their paths in the tree (`bundles/binary-daemon/…`). */
  readonly outDir: string;
  /** Use an `outDir` that holds files: the artifact paths in it are replaced, the rest kept. */
  readonly force?: boolean;
  readonly overrides?: RecipeOverrides;
  readonly listener: BuildListener;
  readonly signal?: AbortSignal;
  readonly engineEnv: EngineEnvironment;
  /** Where the temporary checkout is made; default the system's temp folder. */
  readonly tempParent?: string;
}

export interface GitBuildResult extends BuildResult {
  readonly source: ResolvedGitSource;
  readonly target: string;
  readonly outDir: string;
}

/** Temporary checkouts are named so, under the temp folder; each is removed when its build ends. */
export const GIT_BUILD_TEMP_PREFIX = 'dockerfork-git-';

/** The output folder must not hold files unless `force`; a file in its place is always refused. */
async function checkOutDir(dir: string, force: boolean): Promise<void> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch (e) {
    // Found now rather than after a whole build, when the artifacts would have nowhere to go.
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new GitOperationError('invalid-input', `Output folder ${dir} cannot be made: part of its path is a file`);
    return;
  }
  if (!st.isDirectory()) throw new GitOperationError('target-not-empty', `${dir} exists and is not a folder: choose another output folder`);
  const entries = await fs.readdir(dir);
  if (entries.length > 0 && !force) throw new GitOperationError('target-not-empty', `Output folder ${dir} is not empty (${entries.length} entries): choose an empty or new folder, or use --force to replace the artifacts in it`);
}

/** The recipe to run from the fetched tree: container targets only, never the tree's own settings. */
async function chooseRecipe(tree: string, src: ResolvedGitSource, wanted: string | undefined, overrides: RecipeOverrides | undefined): Promise<ContainerRecipe> {
  const repo = await detectRepository(tree);
  if (!repo) throw new GitOperationError('invalid-input', `${src.url}#${src.ref} is not a Docker repository this extension can build (no Makefile, hack/make.sh, components/ or docker.Makefile at its root)`);
  // Only detected targets: a tree's .vscode/settings.json could name any command, and it is someone else's branch.
  const targets = await listTargets(repo);
  const target = wanted ? targets.find((t) => t.id === wanted) : targets.find((t) => t.isDefault) ?? targets[0];
  if (!target) {
    const ids = targets.map((t) => t.id).join(', ') || 'none';
    throw new GitOperationError('invalid-input', wanted ? `No target '${wanted}' in ${src.url}#${src.ref}; targets: ${ids}` : `No build targets in ${src.url}#${src.ref}`);
  }
  if (target.executor !== 'container') {
    throw new GitOperationError('invalid-input', `Target '${target.id}' of ${src.url}#${src.ref} runs on this machine (${target.command.join(' ')}); a build of a Git ref runs only in a throwaway container. Clone the branch to build this target.`);
  }
  const recipe = applyOverrides(target, overrides ?? {}) as ContainerRecipe;
  return {
    ...recipe,
    // Its own tag, so the workspace's builder image of a same-named repository is not replaced by the branch's.
    image: recipe.image.kind === 'dockerfile' ? { ...recipe.image, tag: `${recipe.image.tag}-git` } : recipe.image,
  };
}

/**
 * Copies the artifact paths of `tree` into `outDir`: all into a staging
 * folder inside it first, then each swapped into place, so a failure or a
 * cancel never leaves a half-copied artifact. Returns whether all landed.
 */
async function deliverArtifacts(tree: string, rels: readonly string[], outDir: string, signal?: AbortSignal): Promise<boolean> {
  const createdOut = !(await fs.stat(outDir).then(() => true, () => false));
  await fs.mkdir(outDir, { recursive: true });
  const staging = await fs.mkdtemp(path.join(outDir, '.dockerfork-staging-'));
  try {
    const present: string[] = [];
    for (const rel of rels) {
      if (signal?.aborted) break;
      const from = path.join(tree, rel);
      if (!(await fs.lstat(from).then(() => true, () => false))) continue;
      await fs.cp(from, path.join(staging, rel), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      present.push(rel);
    }
    if (signal?.aborted) return false;
    for (const rel of present) {
      const target = path.join(outDir, rel);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const old = `${target}.dockerfork-old-${process.pid}`;
      const hadOld = await fs.rename(target, old).then(() => true, () => false);
      await fs.rename(path.join(staging, rel), target);
      if (hadOld) await fs.rm(old, { recursive: true, force: true });
    }
    return true;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    if (createdOut && signal?.aborted) await fs.rm(outDir, { recursive: true, force: true });
  }
}

/** The owner label of a Git build's cache volumes: one set per repository URL, whichever ref is built. */
export function gitCacheOwner(url: string): string {
  return `git:${withoutCredentials(url)}`;
}

/**
 * Removes builder images that Git builds replaced: a build of another
 * commit rebuilds the `-git` image (its context is the tree), and the one
 * it replaced is left dangling, labelled with a temporary checkout that no
 * longer exists, where the per-repository leftover sweep never looks again.
 * Not forced: an image a container still uses stays.
 */
export async function removeReplacedGitBuilderImages(docker: Docker): Promise<string[]> {
  const images = await docker.listImages({ filters: { dangling: ['true'], label: [LABEL_REPO] } }).catch(() => []);
  const removed: string[] = [];
  for (const image of images) {
    const checkout = path.dirname(image.Labels?.[LABEL_REPO] ?? '');
    if (!path.basename(checkout).startsWith(GIT_BUILD_TEMP_PREFIX)) continue;
    if (await fs.stat(checkout).then(() => true, () => false)) continue;
    await docker.getImage(image.Id).remove().then(() => removed.push(image.Id), () => undefined);
  }
  return removed;
}

/**
 * Builds a branch, tag or commit of a repository without cloning it into the
 * workspace: the ref is resolved on the remote first (a wrong URL or ref
 * fails before anything else), its one commit fetched into a temporary
 * folder, the target run in a throwaway container with the source copied
 * in (nothing bind-mounted), the artifacts copied out into `outDir`, and
 * the folder and container removed afterwards, on failure and cancel too.
 *
 * The fetch happens on this machine, not in the container: the builder
 * image is built from the ref's own Dockerfile, whose context has to be
 * sent from here anyway, and a builder image need not have git.
 *
 * Failures before the build (bad input, unknown ref, no repository) throw a
 * GitOperationError; the build itself reports as BuildRunner does.
 */
export async function buildFromGit(options: GitBuildOptions): Promise<GitBuildResult> {
  const { signal, listener } = options;
  const source = typeof options.source === 'string' ? parseGitSource(options.source) : parseGitSource(`${options.source.url}#${options.source.ref}`);
  const outDir = path.resolve(options.outDir);
  const say = (text: string) => listener({ type: 'log', stream: 'system', text: `${text}\n` });
  await checkOutDir(outDir, options.force === true);
  if (signal?.aborted) throw new GitOperationError('cancelled', 'Build cancelled');
  const resolved = await resolveGitSource(source, signal);
  say(`Source: ${withoutCredentials(resolved.url)} ${resolved.kind === 'commit' ? 'commit' : resolved.refName} at ${resolved.commit.slice(0, 12)}`);
  const temp = await fs.mkdtemp(path.join(options.tempParent ?? os.tmpdir(), GIT_BUILD_TEMP_PREFIX));
  let built = false;
  try {
    const tree = path.join(temp, repositoryName(resolved.url));
    say(`Fetching that one commit into a temporary folder (${tree}), removed after the build`);
    const commit = await fetchOneCommit(
      tree,
      resolved,
      {
        line: (text) => say(`git: ${text}`),
        progress: (phase, percent, step, total) => listener({ type: 'progress', progress: { label: `Fetching: ${phase}`, percent, step, total } }),
      },
      signal,
    );
    // What is reported (events, result, messages) names the repository without credentials.
    const src = { ...resolved, url: withoutCredentials(resolved.url), commit };
    const recipe = await chooseRecipe(tree, src, options.target, options.overrides);
    // Artifact and done events wait until the artifacts are in outDir, so every path they name exists.
    const held: Artifact[] = [];
    built = true;
    const result = await new BuildRunner().run(recipe, {
      listener: (e: BuildEvent) => {
        if (e.type === 'artifact') held.push(e.artifact);
        else if (e.type !== 'done') listener(e);
      },
      signal,
      engineEnv: options.engineEnv,
      copySource: true,
      // Go's caches are content-addressed: any ref of the repository may share them.
      cacheOwner: gitCacheOwner(src.url),
    });
    const finish = (r: BuildResult): GitBuildResult => {
      const out = { ...r, source: src, target: recipe.id, outDir };
      listener({ type: 'done', result: out });
      return out;
    };
    if (result.cancelled || result.error || result.exitCode !== 0) return finish(result);
    let delivered: boolean;
    try {
      delivered = await deliverArtifacts(tree, recipe.artifacts, outDir, signal);
    } catch (e) {
      const message = `The build succeeded but its artifacts could not be copied into ${outDir}: ${e instanceof Error ? e.message : String(e)}`;
      say(`Error: ${message}`);
      return finish({ ...result, error: message, artifacts: [] });
    }
    if (!delivered || signal?.aborted) {
      say('Build cancelled.');
      return finish({ ...result, cancelled: true, exitCode: undefined, artifacts: [] });
    }
    const artifacts = held.map((a) => ({ ...a, path: path.join(outDir, a.relativePath) }));
    for (const a of artifacts) listener({ type: 'artifact', artifact: a });
    say(`Artifacts of ${src.url}#${src.ref} (${commit.slice(0, 12)}) are in ${outDir}`);
    return finish({ ...result, artifacts });
  } finally {
    await fs.rm(temp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (built) await sweepBuilderImages(options.engineEnv);
  }
}

/** Best effort after a build: the engine may be gone, and the build's own result matters more. */
async function sweepBuilderImages(engineEnv: EngineEnvironment): Promise<void> {
  try {
    const docker = await createDockerClient(await resolveEngine(engineEnv), { env: engineEnv.env as NodeJS.ProcessEnv });
    await removeReplacedGitBuilderImages(docker);
  } catch {
    // Nothing to report: a later build sweeps again.
  }
}
