import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { DockerFrameDemuxer, FrameStream } from '../util/dockerFrames';
import * as tar from 'tar-fs';
import { ensureBuilderImage } from './builderImage';
import { ensureCacheVolumes } from './cacheVolumes';
import { packFiles } from './context';
import { BuildSetupError, ExecutionContext, Executor, LABEL_BUILD, LABEL_OWNER, LABEL_REPO, system } from './executor';
import { OWNER, removeLeftovers } from './leftovers';
import { ContainerRecipe, BuildRecipe } from './recipe';
import { listSourceFiles } from './sourceCopy';

/**
 * How long a cancelled build gets between SIGINT (what Ctrl-C on `docker
 * run` sends) and SIGKILL: short, so a PID 1 that ignores signals does not
 * cost the engine's 10 s stop timeout.
 */
export const STOP_GRACE_MS = 3000;

/**
 * After the container exited, how long its output stream may take to end
 * before we stop waiting for the tail (it ends at once unless the engine
 * connection hangs); shorter after a cancel, which must stay quick.
 */
const TAIL_LIMIT_MS = 30_000;
const TAIL_LIMIT_CANCELLED_MS = 2000;

/**
 * Runs a container recipe through the engine API: builds or reuses the
 * builder image, runs the command with the source bind-mounted (local
 * engine) or copied in (remote engine, where a bind mount would name the
 * remote disk), streams output, copies artifacts back in remote mode, and
 * always removes its container. A cancel is checked after every step, so
 * no step starts once the request is cancelled.
 */
export class ContainerExecutor implements Executor {
  async execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number> {
    if (recipe.executor !== 'container') throw new Error('ContainerExecutor runs container recipes only');
    const engine = ctx.engine;
    if (!engine) throw new Error('ContainerExecutor needs an engine');
    if (ctx.signal.aborted) return 130;
    const [image, removed, apiVersion] = await Promise.all([
      ensureBuilderImage(recipe, engine.docker, ctx),
      removeLeftovers(engine.docker, recipe.repoRoot, new Date()).catch(() => [] as string[]),
      engine.docker.version().then((v) => v.ApiVersion, () => '0'),
    ]);
    if (removed.length) system(ctx, `Removed what an earlier session of this repository left in the engine: ${removed.join(', ')}`);
    if (ctx.signal.aborted) return 130;
    const caches = recipe.caches?.length ? await ensureCacheVolumes(engine.docker, ctx.cacheOwner ?? recipe.repoRoot, image, recipe.caches) : [];
    for (const c of caches) system(ctx, `Cache ${c.mount.path}: ${c.warm ? 'warm' : 'cold'} (${c.detail}; volume ${c.volume})`);
    if (ctx.signal.aborted) return 130;
    const copy = engine.remote || ctx.copySource === true;
    // As `docker run --rm`: the engine removes the container once it has
    // exited (one round trip less at the end of every build, and no container
    // left should this process die). It needs a wait registered before the
    // start (API 1.30: the engine answers the wait's headers once it waits).
    // Copy mode still needs the exited container to copy the artifacts out of.
    const autoRemove = !copy && apiAtLeast(apiVersion, '1.30');
    // Not aborted mid-request: the engine could create a container we never hear of.
    const container = await engine.docker.createContainer({
      Image: image,
      Cmd: [...recipe.command],
      Env: Object.entries(recipe.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: recipe.sourcePath,
      Labels: { [LABEL_BUILD]: ctx.runId, [LABEL_REPO]: recipe.repoRoot, [LABEL_OWNER]: OWNER },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: {
        Binds: copy ? [] : [`${recipe.repoRoot}:${recipe.sourcePath}`],
        Mounts: caches.map((c) => ({ Type: 'volume' as const, Source: c.volume, Target: c.mount.path })),
        Privileged: recipe.privileged,
        AutoRemove: autoRemove,
      },
    });
    const state = { removedByEngine: false };
    try {
      return await this.runCreated(recipe, container, ctx, engine.docker, engine.remote, copy, autoRemove, state);
    } finally {
      // A container that never ran (or copy mode's) is ours to remove.
      if (!state.removedByEngine) await container.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  private async runCreated(recipe: ContainerRecipe, container: Docker.Container, ctx: ExecutionContext, docker: Docker, remote: boolean, copy: boolean, autoRemove: boolean, state: { removedByEngine: boolean }): Promise<number> {
    const { signal } = ctx;
    if (signal.aborted) return 130;
    if (copy) {
      system(ctx, remote ? `Remote engine: copying the source into the container at ${recipe.sourcePath} (bind mounts would name the remote disk)` : `Copying the source into the container at ${recipe.sourcePath} (nothing of this machine is mounted)`);
      const files = await listSourceFiles(recipe.repoRoot, recipe.artifacts);
      await container.putArchive(packFiles(recipe.repoRoot, files, recipe.sourcePath) as unknown as NodeJS.ReadableStream, { path: '/', abortSignal: signal } as never).catch((e: Error) => {
        if (!signal.aborted) throw new BuildSetupError(`Copying the source into the remote build container failed: ${e.message}`);
      });
      if (signal.aborted) return 130;
    }
    // Hijacked, as the docker CLI attaches: the engine's raw stream on the
    // socket itself, not through node's HTTP response parser, which a log
    // flood pays for on every chunk.
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true, hijack: true })) as unknown as Readable;
    const ended = new Promise<void>((resolve) => stream.once('end', resolve).once('close', resolve).once('error', () => resolve()));
    const output = new OutputDecoder(ctx);
    stream.on('data', (d: Buffer) => output.push(d));
    if (signal.aborted) {
      stream.destroy();
      return 130;
    }
    // Registered before the start, so an exit (and removal) that comes
    // before the next round trip is never missed.
    const removal = autoRemove ? (await registeredWait(docker, container.id, 'removed')).exited : undefined;
    await container.start();
    // As Ctrl-C on `docker run`: SIGINT to the build's process, SIGKILL after a short grace.
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      container.kill({ signal: 'SIGINT' }).catch(() => undefined);
      killTimer = setTimeout(() => container.kill({ signal: 'SIGKILL' }).catch(() => undefined), STOP_GRACE_MS);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      // With AutoRemove, wait for the removal itself (as `docker run --rm`
      // does): when it answers, the container is gone.
      const waited = await (removal ?? container.wait()).catch((e: Error) => {
        if (signal.aborted) return { StatusCode: 130 };
        throw new BuildSetupError(`Lost the build container: ${e.message}`);
      });
      if (removal && !signal.aborted) state.removedByEngine = true;
      // The output's tail may still be in flight when wait() answers: let it arrive.
      const limitMs = signal.aborted ? TAIL_LIMIT_CANCELLED_MS : TAIL_LIMIT_MS;
      let limit: NodeJS.Timeout | undefined;
      const complete = await Promise.race([ended.then(() => true), new Promise<boolean>((r) => (limit = setTimeout(() => r(false), limitMs)))]);
      clearTimeout(limit);
      if (!complete) {
        stream.destroy();
        if (!signal.aborted) system(ctx, `The container's output stream did not end ${limitMs / 1000} s after it exited; its last lines may be missing.`);
      }
      output.end();
      const code = Number(waited.StatusCode);
      if (signal.aborted) return 130;
      if (copy && code === 0) await copyArtifactsOut(recipe, container, ctx);
      return signal.aborted ? 130 : code;
    } finally {
      signal.removeEventListener('abort', stop);
      clearTimeout(killTimer);
    }
  }
}

/**
 * The attach stream's frames as log events: split without copying
 * (docker-modem's demuxStream copies its whole buffer per frame, which a
 * log flood pays for), UTF-8 decoded across frame and chunk boundaries per
 * stream, so a character split between two frames stays whole.
 */
class OutputDecoder {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly demux = new DockerFrameDemuxer((stream, piece) => this.emit(stream, this.decoders[stream].write(piece)));
  private ended = false;

  constructor(private readonly ctx: ExecutionContext) {}

  push(chunk: Buffer): void {
    // A frame after the end (a stream given up on) is dropped, not emitted after `done`.
    if (!this.ended) this.demux.push(chunk);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('stdout', this.decoders.stdout.end());
    this.emit('stderr', this.decoders.stderr.end());
  }

  private emit(stream: FrameStream, text: string): void {
    if (text) this.ctx.emit({ type: 'log', stream, text });
  }
}

/**
 * Remote mode: brings each artifact path back through the API, unpacking
 * into a temp folder first and then swapping it in, so a failed or cancelled
 * copy never leaves a half-written artifact where the old one was.
 */
async function copyArtifactsOut(recipe: ContainerRecipe, container: Docker.Container, ctx: ExecutionContext): Promise<void> {
  const { signal } = ctx;
  system(ctx, `Copying ${recipe.artifacts.join(', ')} out of the build container`);
  for (const rel of recipe.artifacts) {
    if (signal.aborted) return;
    const remotePath = path.posix.join(recipe.sourcePath, rel);
    const archive = (await container.getArchive({ path: remotePath, abortSignal: signal } as never).catch(() => undefined)) as unknown as Readable | undefined;
    if (!archive) {
      if (!signal.aborted) system(ctx, `No ${rel} in the container after the build`);
      continue;
    }
    const target = path.join(recipe.repoRoot, rel);
    const parent = path.dirname(target);
    await fs.mkdir(parent, { recursive: true });
    const staging = await fs.mkdtemp(path.join(parent, '.dockerfork-copy-'));
    try {
      let onAbort: (() => void) | undefined;
      const unpackedAll = await new Promise<boolean>((resolve, reject) => {
        onAbort = () => {
          archive.destroy();
          resolve(false);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        archive.on('error', (e) => (signal.aborted ? resolve(false) : reject(e)));
        archive
          .pipe(tar.extract(staging))
          .on('finish', () => resolve(true))
          .on('error', reject);
      }).finally(() => signal.removeEventListener('abort', onAbort!));
      if (!unpackedAll || signal.aborted) return;
      const unpacked = path.join(staging, path.basename(rel));
      const old = `${target}.dockerfork-old-${process.pid}`;
      const hadOld = await fs.rename(target, old).then(() => true, () => false);
      await fs.rename(unpacked, target);
      if (hadOld) await fs.rm(old, { recursive: true, force: true });
      system(ctx, `Copied ${rel} out of the ${ctx.engine?.remote ? 'remote ' : ''}build container`);
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }
}

function apiAtLeast(version: string, wanted: string): boolean {
  const [a, b] = version.split('.').map(Number);
  const [x, y] = wanted.split('.').map(Number);
  return a > x || (a === x && b >= y);
}

/**
 * POST /wait?condition=…, resolved once the engine has registered the wait
 * (it sends the response headers then), with the exit status to come.
 */
function registeredWait(docker: Docker, id: string, condition: 'removed' | 'next-exit'): Promise<{ exited: Promise<{ StatusCode: number }> }> {
  return new Promise((registered, reject) => {
    const dial = { path: `/containers/${id}/wait?`, method: 'POST', isStream: true, statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' }, options: { condition } };
    (docker.modem as unknown as { dial(o: object, cb: (err: Error | null, stream: Readable) => void): void }).dial(dial, (err, stream) => {
      if (err) return reject(err);
      // An object, not the promise itself: resolving with a promise would wait for it.
      const exited = new Promise<{ StatusCode: number }>((resolve, failed) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', failed);
        stream.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { StatusCode: number; Error?: { Message?: string } };
            if (body.Error?.Message) failed(new Error(body.Error.Message));
            else resolve(body);
          } catch (e) {
            failed(e as Error);
          }
        });
      });
      exited.catch(() => undefined);
      registered({ exited });
    });
  });
}
