import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import * as tar from 'tar-fs';
import { BuildStreamDecoder, messageText } from './buildStream';
import { contextFingerprint, listContextFiles, packFiles } from './context';
import { BuildSetupError, ExecutionContext, Executor, LABEL_BUILD, LABEL_CONTEXT, LABEL_REPO } from './executor';
import { ContainerRecipe, BuildRecipe, ImageSource } from './recipe';

const system = (ctx: ExecutionContext, text: string) => ctx.emit({ type: 'log', stream: 'system', text: `${text}\n` });

/**
 * Runs a container recipe through the engine API: builds or reuses the
 * builder image, runs the command with the source bind-mounted (local
 * engine) or copied in (remote engine, where a bind mount would name the
 * remote disk), streams output, copies artifacts back in remote mode, and
 * always removes its container.
 */
export class ContainerExecutor implements Executor {
  async execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number> {
    if (recipe.executor !== 'container') throw new Error('ContainerExecutor runs container recipes only');
    const engine = ctx.engine;
    if (!engine) throw new Error('ContainerExecutor needs an engine');
    const image = await this.ensureImage(recipe, recipe.image, engine.docker, ctx);
    if (ctx.signal.aborted) return 130;
    const container = await engine.docker.createContainer({
      Image: image,
      Cmd: [...recipe.command],
      Env: Object.entries(recipe.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: recipe.sourcePath,
      Labels: { [LABEL_BUILD]: ctx.runId, [LABEL_REPO]: recipe.repoRoot },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: {
        Binds: engine.remote ? [] : [`${recipe.repoRoot}:${recipe.sourcePath}`],
        Privileged: recipe.privileged,
      },
    });
    const remove = () => container.remove({ force: true, v: true }).catch(() => undefined);
    ctx.signal.addEventListener('abort', remove, { once: true });
    try {
      if (engine.remote) {
        system(ctx, `Remote engine: copying the source into the container at ${recipe.sourcePath} (bind mounts would name the remote disk)`);
        const files = await listContextFiles(recipe.repoRoot, { extraExcludes: recipe.artifacts.map((a) => a.split('/')[0]) });
        await container.putArchive(packFiles(recipe.repoRoot, files, recipe.sourcePath), { path: '/' });
      }
      const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
      const out = new PassThrough();
      const err = new PassThrough();
      out.on('data', (d: Buffer) => ctx.emit({ type: 'log', stream: 'stdout', text: d.toString('utf8') }));
      err.on('data', (d: Buffer) => ctx.emit({ type: 'log', stream: 'stderr', text: d.toString('utf8') }));
      engine.docker.modem.demuxStream(stream, out, err);
      const ended = new Promise<void>((resolve) => stream.once('end', resolve).once('close', resolve).once('error', () => resolve()));
      await container.start();
      const waited = await container.wait().catch((e: Error) => {
        if (ctx.signal.aborted) return { StatusCode: 130 };
        throw new BuildSetupError(`Lost the build container: ${e.message}`);
      });
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
      const code = Number(waited.StatusCode);
      if (engine.remote && code === 0 && !ctx.signal.aborted) await this.copyArtifactsOut(recipe, container, ctx);
      return ctx.signal.aborted ? 130 : code;
    } finally {
      ctx.signal.removeEventListener('abort', remove);
      await remove();
    }
  }

  /** The builder image to run, built when it is missing or anything that feeds it changed. */
  private async ensureImage(recipe: ContainerRecipe, source: ImageSource, docker: Docker, ctx: ExecutionContext): Promise<string> {
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
    const fingerprint = contextFingerprint(files, JSON.stringify([dockerfile, source.target ?? '', source.buildArgs ?? {}]));
    const existing = await docker.getImage(source.tag).inspect().catch(() => undefined);
    if (existing?.Config?.Labels?.[LABEL_CONTEXT] === fingerprint) {
      system(ctx, `Reusing builder image ${source.tag}: nothing that feeds it changed`);
      return source.tag;
    }
    system(ctx, `Building builder image ${source.tag} from ${source.dockerfile} (${files.length} files in the context)`);
    const response = (await docker.buildImage(packFiles(contextRoot, files) as unknown as NodeJS.ReadableStream, {
      t: source.tag,
      dockerfile: source.dockerfile,
      target: source.target,
      buildargs: source.buildArgs,
      labels: { [LABEL_CONTEXT]: fingerprint, [LABEL_REPO]: recipe.repoRoot },
      forcerm: true,
      abortSignal: ctx.signal,
    } as Docker.ImageBuildOptions)) as unknown as Readable;
    const decoder = new BuildStreamDecoder();
    let failure: string | undefined;
    const handle = (text: string) => {
      for (const m of decoder.feed(text)) {
        if (m.error) failure = m.errorDetail?.message ?? m.error;
        const t = messageText(m);
        if (t) ctx.emit({ type: 'log', stream: 'stdout', text: t });
      }
    };
    await new Promise<void>((resolve, reject) => {
      response.on('data', (d: Buffer) => handle(d.toString('utf8')));
      response.on('end', resolve);
      response.on('error', reject);
    }).catch((e: Error) => {
      if (!ctx.signal.aborted) throw new BuildSetupError(`Building ${source.tag} failed: ${e.message}`);
    });
    for (const m of decoder.flush()) if (m.error) failure = m.errorDetail?.message ?? m.error;
    if (failure) throw new BuildSetupError(`Building builder image ${source.tag} from ${dockerfilePath} failed: ${failure}`);
    return source.tag;
  }

  /**
   * Remote mode: bring each artifact path back through the API, unpacking
   * into a temp folder first and then swapping it in, so a failed copy never
   * leaves a half-written folder where the old artifacts were.
   */
  private async copyArtifactsOut(recipe: ContainerRecipe, container: Docker.Container, ctx: ExecutionContext): Promise<void> {
    for (const rel of recipe.artifacts) {
      const remotePath = path.posix.join(recipe.sourcePath, rel);
      const archive = (await container.getArchive({ path: remotePath }).catch(() => undefined)) as unknown as Readable | undefined;
      if (!archive) {
        system(ctx, `No ${rel} in the container after the build`);
        continue;
      }
      const target = path.join(recipe.repoRoot, rel);
      const parent = path.dirname(target);
      await fs.mkdir(parent, { recursive: true });
      const staging = await fs.mkdtemp(path.join(parent, '.dockerfork-copy-'));
      try {
        await new Promise<void>((resolve, reject) => archive.pipe(tar.extract(staging)).on('finish', resolve).on('error', reject));
        const unpacked = path.join(staging, path.basename(rel));
        const old = `${target}.dockerfork-old-${process.pid}`;
        const hadOld = await fs.rename(target, old).then(() => true, () => false);
        await fs.rename(unpacked, target);
        if (hadOld) await fs.rm(old, { recursive: true, force: true });
        system(ctx, `Copied ${rel} out of the remote build container`);
      } finally {
        await fs.rm(staging, { recursive: true, force: true });
      }
    }
  }
}
