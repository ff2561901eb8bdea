import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as path from 'path';
import { contextFingerprint, listContextFiles, packFiles } from './context';
import { DockerfileFeatures, dockerfileFeatures, withoutSyntaxDirective } from './dockerfileFeatures';
import { EngineBuilder, engineBuild, EngineBuildOutcome } from './engineBuild';
import { BuildSetupError, ExecutionContext, LABEL_CONTEXT, LABEL_REPO, system } from './executor';
import { BuilderChoice, ContainerRecipe } from './recipe';

/** The first engine API version whose `POST /build` takes `version=2` (BuildKit): Docker 18.09. */
const BUILDKIT_MIN_API = [1, 39] as const;

function apiAtLeast(version: string | undefined, [major, minor]: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/**
 * Which builder to use for this Dockerfile on this engine, or why none can:
 * BuildKit whenever the engine has it (moby's Dockerfile since 20.10 needs
 * it), the legacy builder only when asked or when the engine is too old,
 * and never for a Dockerfile that uses BuildKit-only instructions.
 */
export function chooseBuilder(choice: BuilderChoice, apiVersion: string | undefined, features: DockerfileFeatures, dockerfilePath: string): EngineBuilder {
  const engineHasBuildkit = apiAtLeast(apiVersion, BUILDKIT_MIN_API);
  const needs = features.buildkitOnly.length ? `${dockerfilePath} uses ${features.buildkitOnly.join(', ')}, which only BuildKit builds` : undefined;
  if (choice === 'legacy') {
    if (needs) throw new BuildSetupError(`${needs}, but dockerFork.build.builder is "legacy". Set it to "auto" or "buildkit".`);
    return 'legacy';
  }
  if (engineHasBuildkit) return 'buildkit';
  const why = `The engine's API is ${apiVersion ?? 'unknown'}; BuildKit needs 1.39 (Docker 18.09) or later`;
  if (choice === 'buildkit') throw new BuildSetupError(`${why}. Set dockerFork.build.builder to "legacy", or use a newer engine.`);
  if (needs) throw new BuildSetupError(`${needs}. ${why}: use a newer engine.`);
  return 'legacy';
}

/**
 * A BuildKit failure to fetch the `# syntax=` frontend image (no registry,
 * or a name that does not resolve), rather than a failure of the build.
 */
export function isFrontendPullFailure(outcome: EngineBuildOutcome): boolean {
  if (!outcome.error) return false;
  if (outcome.failedStep && !/^resolve image config for /.test(outcome.failedStep.step)) return false;
  return /frontend gateway\.v0|failed to resolve source metadata|resolve image config/i.test(`${outcome.error} ${outcome.failedStep?.step ?? ''}`);
}

/**
 * Frontends that could not be pulled, per engine, for this process: each
 * failed attempt sends the whole context once more (seconds on moby).
 */
const unreachableFrontends = new Map<string, { error: string; at: number }>();
/** Try the registry again after this long: a VPN may have come up. */
const UNREACHABLE_FOR_MS = 10 * 60_000;

function engineKey(docker: Docker): string {
  const m = docker.modem as unknown as { socketPath?: string; host?: string; port?: number };
  return m.socketPath ?? `${m.host}:${m.port}`;
}

/** The builder image to run, built when it is missing or anything that feeds it changed. */
export async function ensureBuilderImage(recipe: ContainerRecipe, docker: Docker, ctx: ExecutionContext): Promise<string> {
  const source = recipe.image;
  if (source.kind === 'image') {
    const found = await docker.getImage(source.name).inspect().catch(() => undefined);
    if (!found) throw new BuildSetupError(`Image '${source.name}' does not exist in the engine. Build or load it there, or choose another builder image.`);
    return source.name;
  }
  const dockerfilePath = path.join(recipe.repoRoot, source.context, source.dockerfile);
  const dockerfile = await fs.readFile(dockerfilePath, 'utf8').catch(() => undefined);
  if (dockerfile === undefined) throw new BuildSetupError(`No Dockerfile at ${dockerfilePath}: the builder image cannot be built. Add one, or choose an existing builder image.`);
  const contextRoot = path.join(recipe.repoRoot, source.context);
  const files = await listContextFiles(contextRoot, { dockerfile: source.dockerfile });
  const choice = source.builder ?? 'auto';
  const fingerprint = contextFingerprint(files, JSON.stringify([dockerfile, source.target ?? '', source.buildArgs ?? {}, choice]));
  const existing = await docker.getImage(source.tag).inspect().catch(() => undefined);
  if (existing?.Config?.Labels?.[LABEL_CONTEXT] === fingerprint) {
    system(ctx, `Reusing builder image ${source.tag}: nothing that feeds it changed`);
    return source.tag;
  }
  const features = dockerfileFeatures(dockerfile);
  const [version, bridge] = await Promise.all([
    docker.version().catch((e: Error) => {
      throw new BuildSetupError(`Cannot ask the engine for its version before building ${source.tag}: ${e.message}`);
    }),
    docker.getNetwork('bridge').inspect().then(() => true, () => false),
  ]);
  const builder = chooseBuilder(choice, version.ApiVersion, features, dockerfilePath);
  // Build steps join the engine's default bridge; an engine started without
  // one (`--bridge=none`) fails every RUN with "network bridge not found".
  const networkMode = bridge ? undefined : 'host';
  const stage = source.target ? `, stage ${source.target}` : '';
  system(ctx, `Building builder image ${source.tag} from ${source.dockerfile}${stage} with ${builder === 'buildkit' ? 'BuildKit' : 'the legacy builder'} (${files.length} files in the context${networkMode ? '; the engine has no default bridge, so steps use the host network' : ''})`);
  const build = (replace?: ReadonlyMap<string, Buffer>) =>
    engineBuild(docker, {
      builder,
      context: packFiles(contextRoot, files, '', replace),
      tag: source.tag,
      dockerfile: source.dockerfile,
      target: source.target,
      buildArgs: source.buildArgs,
      labels: { [LABEL_CONTEXT]: fingerprint, [LABEL_REPO]: recipe.repoRoot },
      networkMode,
      signal: ctx.signal,
      onText: (text) => ctx.emit({ type: 'log', stream: 'stdout', text }),
    }).catch((e: Error) => {
      if (ctx.signal.aborted) return { error: 'cancelled' } as EngineBuildOutcome;
      throw new BuildSetupError(`Building ${source.tag} failed: ${e.message}`);
    });
  const frontendKey = features.syntax && `${engineKey(docker)}|${features.syntax.image}`;
  const remembered = frontendKey ? unreachableFrontends.get(frontendKey) : undefined;
  const knownUnreachable = remembered && Date.now() - remembered.at < UNREACHABLE_FOR_MS ? remembered.error : undefined;
  let outcome: EngineBuildOutcome = knownUnreachable ? { error: knownUnreachable } : await build();
  if (ctx.signal.aborted) return source.tag;
  if (builder === 'buildkit' && features.syntax && frontendKey && (knownUnreachable || isFrontendPullFailure(outcome))) {
    // Offline, or a registry that does not answer: the engine's own
    // Dockerfile frontend reads the same file without pulling anything.
    const pulled = outcome.error ?? '';
    if (!knownUnreachable) unreachableFrontends.set(frontendKey, { error: pulled, at: Date.now() });
    system(ctx, `The Dockerfile frontend ${features.syntax.image} named by "# syntax=" on line ${features.syntax.line} could not be pulled${knownUnreachable ? ' from this engine earlier' : ''} (${pulled}). Building with the engine's built-in Dockerfile frontend instead.`);
    outcome = await build(new Map([[source.dockerfile, Buffer.from(withoutSyntaxDirective(dockerfile, features))]]));
    if (ctx.signal.aborted) return source.tag;
    if (outcome.error && !outcome.failedStep) {
      // Not a step of the build but the file itself: the built-in frontend may be older than the one named.
      throw new BuildSetupError(
        `Building builder image ${source.tag} from ${dockerfilePath} failed. Its "# syntax=${features.syntax.image}" frontend could not be pulled (${pulled}), and the engine's built-in Dockerfile frontend could not build it either: ${outcome.error}. Make the registry reachable for the frontend image${features.buildkitOnly.length ? '' : ', or set dockerFork.build.builder to "legacy" (this Dockerfile uses nothing that needs BuildKit)'}.`,
      );
    }
  }
  if (outcome.error) throw new BuildSetupError(`Building builder image ${source.tag} from ${dockerfilePath} failed: ${describeFailure(outcome)}`);
  return source.tag;
}

function describeFailure(o: EngineBuildOutcome): string {
  return o.failedStep ? `step ${o.failedStep.step}: ${o.error}` : (o.error ?? 'unknown error');
}
