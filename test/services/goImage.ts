import Docker from 'dockerode';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir, debianMirror } from './baseImage';
import { run } from './processes';
import { makeRigDir, removeRigDir } from './tempRoot';

/** A Go builder image (Debian's golang-go, 1.19 on bookworm) for the Go fixture fork's tests and benches. */
export const GO_IMAGE = 'dfw-go:bookworm';
/** Bump when the packages change, so the cached tarball is remade. */
const GO_IMAGE_RECIPE = 'bookworm-minbase-go-v1';
const GO_PACKAGES = ['make', 'git', 'gcc', 'libc6-dev', 'golang-go', 'ca-certificates'];

/**
 * A tarball of a bookworm minbase root file system with Debian's Go
 * toolchain, made once with debootstrap (about a minute here; a 0.9 GB tar) and
 * cached next to the base image's: no image registry is reachable here.
 */
export async function ensureGoImageTarball(debootstrap: string, log: (line: string) => void): Promise<string> {
  const tarball = path.join(cacheDir(), `go-${GO_IMAGE_RECIPE}.tar`);
  if (fs.existsSync(tarball)) return tarball;
  const work = makeRigDir('debootstrap-go');
  try {
    const rootfs = path.join(work, 'rootfs');
    const mirror = debianMirror();
    log(`Making the Go builder image root file system with debootstrap from ${mirror} (about a minute, once)...`);
    await run(debootstrap, ['--variant=minbase', `--include=${GO_PACKAGES.join(',')}`, 'bookworm', rootfs, mirror], { timeoutMs: 30 * 60_000 });
    // The downloaded .debs are of no use in the image.
    fs.rmSync(path.join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    fs.mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    const partial = `${tarball}.partial-${process.pid}`;
    await run('tar', ['-C', rootfs, '-cf', partial, '.']);
    fs.renameSync(partial, tarball);
  } finally {
    removeRigDir(work);
  }
  return tarball;
}

/** Imports the cached root file system as GO_IMAGE, with the Go environment moby's dev image sets. */
async function importGoImage(docker: Docker, tarball: string): Promise<void> {
  const [repo, tag] = GO_IMAGE.split(':');
  const stream = await docker.importImage(fs.createReadStream(tarball) as unknown as string, {
    repo,
    tag,
    changes: ['ENV GOPATH=/go', 'ENV PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'WORKDIR /go/src/github.com/docker/docker'],
  } as unknown as Record<string, string>);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }>) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
}

/** Makes sure `docker` holds GO_IMAGE, making the root file system first if it is not cached. */
export async function ensureGoImage(docker: Docker, debootstrap: string, log: (line: string) => void): Promise<void> {
  if (await docker.getImage(GO_IMAGE).inspect().then(() => true, () => false)) return;
  const tarball = await ensureGoImageTarball(debootstrap, log);
  log(`Loading ${GO_IMAGE} into the engine...`);
  await importGoImage(docker, tarball);
}
