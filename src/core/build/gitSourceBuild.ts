import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SimpleGitProgressEvent } from 'simple-git';
import type Docker from 'dockerode';
import { createDockerClient } from '../engine/client';
import { EngineEnvironment, resolveEngine } from '../engine/endpoint';
import { classifyGitFailure, GitOperationError } from '../git/errors';
import { GitRunError, runGit } from '../git/run';
import { detectRepository } from '../repo/detect';
import { listTargets } from '../repo/targets';
import { BuildRunner } from './buildRunner';
import { Artifact, BuildEvent, BuildListener, BuildResult } from './events';
import { LABEL_REPO } from './executor';
import { applyOverrides, ContainerRecipe, RecipeOverrides } from './recipe';

/** A repository and the ref to build, as `URL#REF` names them. */
export interface GitSource {
  readonly url: string;
  /** Branch, tag or full commit hash; `HEAD` (the remote's default branch) when none was given. */
  readonly ref: string;
}

/** The ref as resolved on the remote before anything was fetched. */
export interface ResolvedGitSource extends GitSource {
  /** The full ref name it matched (`refs/heads/feature`), or null for a commit hash. */
  readonly refName: string | null;
  /** `head` for the remote's default branch, `other` for a ref outside heads and tags (`refs/pull/1/head`). */
  readonly kind: 'branch' | 'tag' | 'commit' | 'head' | 'other';
  /** The commit that was built. */
  readonly commit: string;
}

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

/** A progress redraw of git (`Receiving objects:  42% (420/1000)`), shown as progress, not logged. */
const PROGRESS_LINE = /:\s+\d+% \(\d+\/\d+\)/;

const FULL_HASH = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i;

/**
 * Splits `URL#REF`. The last `#` separates the ref (URLs of git servers have
 * no fragment); without one the remote's default branch is built.
 */
export function parseGitSource(text: string): GitSource {
  const at = text.lastIndexOf('#');
  const url = (at < 0 ? text : text.slice(0, at)).trim();
  const ref = at < 0 ? 'HEAD' : text.slice(at + 1).trim();
  if (url === '' || url.startsWith('-') || /[\s\0]/.test(url)) throw new GitOperationError('invalid-input', `'${url}' is not a repository URL (write URL#REF, e.g. https://github.com/you/moby.git#my-branch)`);
  if (ref === '' || ref.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(ref)) throw new GitOperationError('invalid-input', `'${ref}' is not a branch, tag or commit name (after the # of ${text})`);
  return { url, ref };
}

function gitFailure(e: unknown, url: string, ref?: string): Error {
  if (e instanceof GitRunError) return e.cancelled ? new GitOperationError('cancelled', 'Build cancelled') : classifyGitFailure(e.stderr, withoutCredentials(url), ref);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Resolves the ref on the remote with `git ls-remote`, in git's own order
 * (exact ref, tag, branch), so a wrong URL, an unreachable host or an unknown
 * ref fails before anything is fetched or any container starts.
 */
export async function resolveGitSource(source: GitSource, signal?: AbortSignal): Promise<ResolvedGitSource> {
  let stdout: string;
  try {
    stdout = (await runGit(undefined, ['ls-remote', '--', source.url], { signal })).stdout;
  } catch (e) {
    throw gitFailure(e, source.url, source.ref);
  }
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [hash, name] = line.split('\t');
    if (hash && name) refs.set(name, hash);
  }
  if (FULL_HASH.test(source.ref)) return { ...source, refName: null, kind: 'commit', commit: source.ref.toLowerCase() };
  for (const name of [source.ref, `refs/${source.ref}`, `refs/tags/${source.ref}`, `refs/heads/${source.ref}`]) {
    const hash = refs.get(`${name}^{}`) ?? refs.get(name);
    if (!hash) continue;
    const kind = name === 'HEAD' ? 'head' : name.startsWith('refs/tags/') ? 'tag' : name.startsWith('refs/heads/') ? 'branch' : 'other';
    return { ...source, refName: name, kind, commit: hash };
  }
  const shown = withoutCredentials(source.url);
  if (source.ref === 'HEAD') throw new GitOperationError('unknown-ref', `${shown} has no default branch (HEAD): name a branch, tag or commit after #`);
  if (/^[0-9a-f]{4,39}$/i.test(source.ref)) throw new GitOperationError('unknown-ref', `'${source.ref}' is no branch or tag of ${shown}; give a commit as its full hash (40 hex digits)`);
  throw new GitOperationError('unknown-ref', `No branch or tag '${source.ref}' in ${shown} (a commit is given as its full hash)`);
}

/** The repository's name from its URL (`…/moby.git` → `moby`), for the checkout's folder and so the tree's display name. */
function repositoryName(url: string): string {
  const last = url.replace(/[/\\]+$/, '').split(/[/:\\]/).pop() ?? '';
  return last.replace(/\.git$/i, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '') || 'repository';
}

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

/**
 * Fetches exactly one commit (depth 1) into `dir` and checks it out
 * detached: no history, no other branches, nothing of the workspace.
 */
async function fetchTree(dir: string, src: ResolvedGitSource, listener: BuildListener, signal?: AbortSignal): Promise<string> {
  // git's progress redraws become progress events, once per phase and percent; its other lines go to the log.
  const onOutput = (line: string) => {
    if (!PROGRESS_LINE.test(line)) listener({ type: 'log', stream: 'system', text: `git: ${line}\n` });
  };
  let last = '';
  const progress = (e: SimpleGitProgressEvent) => {
    const label = `Fetching: ${e.stage}`;
    if (`${label} ${e.progress}` === last) return;
    last = `${label} ${e.progress}`;
    listener({ type: 'progress', progress: { label, percent: e.progress, step: e.processed, total: e.total } });
  };
  try {
    await runGit(undefined, ['init', '-q', '--', dir], { signal });
    // --progress before `--`: simple-git's progress plugin would append it after the refspec otherwise.
    await runGit(dir, ['fetch', '--progress', '--depth', '1', '--no-tags', '--', src.url, src.refName ?? src.commit], { signal, onOutput, progress });
    await runGit(dir, ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', 'FETCH_HEAD^{commit}'], { signal });
    // FETCH_HEAD names the URL as given, token and all; the tree (.git included) is copied into the build container.
    await fs.rm(path.join(dir, '.git', 'FETCH_HEAD'), { force: true });
    return (await runGit(dir, ['rev-parse', 'HEAD'], { signal })).stdout.trim();
  } catch (e) {
    throw gitFailure(e, src.url, src.ref);
  }
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

/** The URL without a user name or token in it (`https://user:token@host/…`), for logs and labels. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
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
    const commit = await fetchTree(tree, resolved, listener, signal);
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
