import { randomUUID } from 'crypto';
import type Docker from 'dockerode';
import * as path from 'path';
import { simpleGit } from 'simple-git';
import { createDockerClient } from '../engine/client';
import { describeEndpoint, EngineEnvironment, EngineEndpoint, isRemote, resolveEngine } from '../engine/endpoint';
import { checkArtifactPaths, collectArtifacts, hostVersionReader, VersionReader } from './artifacts';
import { ContainerExecutor } from './containerExecutor';
import { containerVersionReader, localVersionReader } from './containerVersions';
import { Artifact, BuildListener, BuildResult } from './events';
import { BuildSetupError, Executor } from './executor';
import { HostExecutor } from './hostExecutor';
import { trackRun } from './leftovers';
import { ProgressTracker } from './progress';
import { BuildRecipe, imageName } from './recipe';

export interface RunOptions {
  readonly listener: BuildListener;
  readonly signal?: AbortSignal;
  /** Process env plus dockerFork.environment: how to find the engine, and the env of host commands. */
  readonly engineEnv: EngineEnvironment;
  /** Copy the source in and artifacts out even on a local engine (see ExecutionContext.copySource). */
  readonly copySource?: boolean;
  /** Key the cache volumes on this instead of the repository folder (see ExecutionContext.cacheOwner). */
  readonly cacheOwner?: string;
}

/** The tree's short commit, for DOCKER_GITCOMMIT as upstream's Makefile sets it; undefined outside git. */
async function gitCommit(repoRoot: string): Promise<string | undefined> {
  const out = await simpleGit({ baseDir: repoRoot, timeout: { block: 5000 } }).revparse(['--short', 'HEAD']).catch(() => '');
  return out.trim() || undefined;
}

/**
 * Runs any recipe, through the executor it names, and reports everything as
 * events: first the engine, image and command, then log and progress, then
 * artifacts, then exactly one `done`.
 */
export class BuildRunner {
  constructor(private readonly executors: { container: Executor; host: Executor } = { container: new ContainerExecutor(), host: new HostExecutor() }) {}

  async run(recipe: BuildRecipe, options: RunOptions): Promise<BuildResult> {
    const started = Date.now();
    const signal = options.signal ?? new AbortController().signal;
    const tracker = new ProgressTracker();
    const emit: BuildListener = (e) => {
      options.listener(e);
      if (e.type === 'log' && e.stream !== 'system') for (const p of tracker.feed(e.text)) options.listener({ type: 'progress', progress: p });
    };
    const say = (text: string) => emit({ type: 'log', stream: 'system', text: `${text}\n` });
    const finish = (r: Omit<BuildResult, 'durationMs'>): BuildResult => {
      for (const p of tracker.flush()) options.listener({ type: 'progress', progress: p });
      const result = { ...r, durationMs: Date.now() - started };
      options.listener({ type: 'done', result });
      return result;
    };
    let artifacts: Artifact[] = [];
    // An already-cancelled request starts nothing: no git, no engine, no container.
    if (signal.aborted) {
      say('Build cancelled before it started.');
      return finish({ cancelled: true, artifacts: [] });
    }
    const runId = randomUUID();
    const untrack = trackRun(runId);
    try {
      checkArtifactPaths(recipe.repoRoot, recipe.id, recipe.artifacts);
      // git is asked while the engine is looked up and pinged.
      const commitAsked = gitCommit(recipe.repoRoot);
      commitAsked.catch(() => undefined);
      const env = { ...options.engineEnv.env };
      let engine: { docker: Docker; endpoint: EngineEndpoint; remote: boolean } | undefined;
      if (recipe.executor === 'container') {
        const endpoint = await resolveEngine(options.engineEnv);
        const docker = await createDockerClient(endpoint, { env: env as NodeJS.ProcessEnv });
        await docker.ping().catch((e: Error) => {
          throw new BuildSetupError(`Cannot reach the Docker engine at ${describeEndpoint(endpoint)}: ${e.message}. Is the daemon running, and is this the engine you meant?`);
        });
        engine = { docker, endpoint, remote: isRemote(endpoint) };
        say(`Engine: ${describeEndpoint(endpoint)}${engine.remote ? ' — remote: source copied in, artifacts copied out' : options.copySource ? ' — source copied in, artifacts copied out' : ''}`);
        say(`Image: ${imageName(recipe.image)}${recipe.privileged ? ' (privileged)' : ''}`);
      } else {
        say(`Host: ${path.resolve(recipe.repoRoot, recipe.cwd)}`);
      }
      const commit = await commitAsked;
      const recipeEnv = { ...(commit && !recipe.env.DOCKER_GITCOMMIT ? { DOCKER_GITCOMMIT: commit } : {}), ...recipe.env };
      const withEnv = { ...recipe, env: recipeEnv } as BuildRecipe;
      say(`Command: ${recipe.command.join(' ')}`);
      const executor = recipe.executor === 'container' ? this.executors.container : this.executors.host;
      const exitCode = await executor.execute(withEnv, { runId, emit, signal, env, engine, copySource: options.copySource, cacheOwner: options.cacheOwner });
      if (signal.aborted) {
        say('Build cancelled.');
        return finish({ cancelled: true, artifacts: [] });
      }
      if (exitCode === 0) {
        artifacts = await collectArtifacts(recipe.repoRoot, recipe.artifacts, signal, this.versionReader(recipe, engine, runId, say));
        if (signal.aborted) {
          say('Build cancelled.');
          return finish({ cancelled: true, artifacts: [] });
        }
        // Announced only once all are known: never a half-written list.
        for (const a of artifacts) emit({ type: 'artifact', artifact: a });
        if (artifacts.length === 0 && recipe.artifacts.length) say(`The build succeeded but nothing was found in ${recipe.artifacts.join(', ')}.`);
      } else {
        say(`Build failed: ${recipe.command.join(' ')} exited with ${exitCode}.`);
      }
      return finish({ exitCode, cancelled: false, artifacts });
    } catch (e) {
      if (signal.aborted) {
        say('Build cancelled.');
        return finish({ cancelled: true, artifacts: [] });
      }
      const message = e instanceof Error ? e.message : String(e);
      say(`Error: ${message}`);
      return finish({ cancelled: false, error: message, artifacts: [] });
    } finally {
      untrack();
    }
  }

  /**
   * Where an artifact's `--version` may run: on this host for host builds;
   * on a local engine, here for static binaries of this machine and in a
   * container of the builder image for the rest; nowhere for a
   * remote engine, whose binaries may not even be for this machine.
   */
  private versionReader(recipe: BuildRecipe, engine: { docker: Docker; remote: boolean } | undefined, runId: string, say: (t: string) => void): VersionReader | undefined {
    if (recipe.executor === 'host') return hostVersionReader(say);
    if (!engine) return undefined;
    if (engine.remote) {
      return async () => {
        say('Version lines not read: the binaries were built on a remote engine and are not run on this machine.');
        return new Map();
      };
    }
    return localVersionReader(containerVersionReader(engine.docker, imageName(recipe.image), recipe.repoRoot, recipe.sourcePath, runId));
  }
}
