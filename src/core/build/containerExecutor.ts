import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import * as tar from 'tar-fs';
import { ensureBuilderImage } from './builderImage';
import { listContextFiles, packFiles } from './context';
import { BuildSetupError, ExecutionContext, Executor, LABEL_BUILD, LABEL_REPO, system } from './executor';
import { ContainerRecipe, BuildRecipe } from './recipe';

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
    const image = await ensureBuilderImage(recipe, engine.docker, ctx);
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
