import Docker from 'dockerode';
import { ensureRootfsTarball, importRootfs } from './baseImage';

/** A Go builder image (Debian's golang-go, 1.19 on bookworm) for the Go fixture fork's tests and benches. */
export const GO_IMAGE = 'dfw-go:bookworm';
/** Bump when the packages change, so the cached tarball is remade. */
const GO_IMAGE_RECIPE = 'bookworm-minbase-go-v1';
const GO_PACKAGES = ['make', 'git', 'gcc', 'libc6-dev', 'golang-go', 'ca-certificates'];

/**
 * A bookworm minbase root file system with Debian's Go toolchain, made once
 * with debootstrap (about a minute here; a 0.9 GB tar) and cached next to the
 * base image's.
 */
export function ensureGoImageTarball(debootstrap: string, log: (line: string) => void): Promise<string> {
  return ensureRootfsTarball({ name: `go-${GO_IMAGE_RECIPE}`, packages: GO_PACKAGES, what: 'the Go builder image', timeoutMs: 30 * 60_000, dropAptCache: true }, debootstrap, log);
}

/** Imports the cached root file system as GO_IMAGE, with the Go environment moby's dev image sets. */
function importGoImage(docker: Docker, tarball: string): Promise<void> {
  return importRootfs(docker, tarball, GO_IMAGE, ['ENV GOPATH=/go', 'ENV PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'WORKDIR /go/src/github.com/docker/docker']);
}

/** Makes sure `docker` holds GO_IMAGE, making the root file system first if it is not cached. */
export async function ensureGoImage(docker: Docker, debootstrap: string, log: (line: string) => void): Promise<void> {
  if (await docker.getImage(GO_IMAGE).inspect().then(() => true, () => false)) return;
  const tarball = await ensureGoImageTarball(debootstrap, log);
  log(`Loading ${GO_IMAGE} into the engine...`);
  await importGoImage(docker, tarball);
}
