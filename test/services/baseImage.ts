import Docker from 'dockerode';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './processes';
import { makeRigDir, removeRigDir } from './tempRoot';

/** The builder base image the fixture's Dockerfile starts FROM. */
export const BASE_IMAGE = 'dfw-base:bookworm';
/** Bump when the packages in the base image change, so caches are rebuilt. */
const BASE_IMAGE_RECIPE = 'bookworm-minbase-make-v1';

export function cacheDir(): string {
  const dir = process.env.DFW_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'docker-fork-workbench');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The Debian mirror apt already uses here, so debootstrap works wherever apt does. */
export function debianMirror(): string {
  if (process.env.DFW_DEBIAN_MIRROR) return process.env.DFW_DEBIAN_MIRROR;
  const sources = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of sources) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822 && !deb822[1].includes('security')) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(text);
    if (oneLine) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

/**
 * A tarball of a Debian bookworm minbase root file system with `packages`,
 * made once with debootstrap and cached as `<name>.tar`: no image registry
 * is reachable here. `name` carries a recipe version, bumped when the
 * packages change, so an old tarball is never reused for a new recipe.
 */
export async function ensureRootfsTarball(o: { name: string; packages: readonly string[]; what: string; timeoutMs: number; dropAptCache?: boolean }, debootstrap: string, log: (line: string) => void): Promise<string> {
  const tarball = path.join(cacheDir(), `${o.name}.tar`);
  if (fs.existsSync(tarball)) return tarball;
  const work = makeRigDir(`debootstrap-${o.name.split('-')[0]}`);
  try {
    const rootfs = path.join(work, 'rootfs');
    const mirror = debianMirror();
    log(`Making ${o.what} root file system with debootstrap from ${mirror} (about a minute, once)...`);
    await run(debootstrap, ['--variant=minbase', `--include=${o.packages.join(',')}`, 'bookworm', rootfs, mirror], { timeoutMs: o.timeoutMs });
    if (o.dropAptCache) {
      // The downloaded .debs are of no use in the image.
      fs.rmSync(path.join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
      fs.mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    }
    const partial = `${tarball}.partial-${process.pid}`;
    await run('tar', ['-C', rootfs, '-cf', partial, '.']);
    fs.renameSync(partial, tarball);
  } finally {
    removeRigDir(work);
  }
  return tarball;
}

/** The base image's root file system (minbase with make). */
export function ensureBaseImageTarball(debootstrap: string, log: (line: string) => void): Promise<string> {
  return ensureRootfsTarball({ name: `base-${BASE_IMAGE_RECIPE}`, packages: ['make'], what: 'the base image', timeoutMs: 15 * 60_000 }, debootstrap, log);
}

/** Imports the cached root file system as BASE_IMAGE, as `docker import` would. */
export function importBaseImage(docker: Docker, tarball: string): Promise<void> {
  return importRootfs(docker, tarball, BASE_IMAGE);
}

/** `docker import` of a root file system tarball as `name`, with Dockerfile-style `changes` (ENV, WORKDIR). */
export async function importRootfs(docker: Docker, tarball: string, name: string, changes: readonly string[] = []): Promise<void> {
  const [repo, tag] = name.split(':');
  const stream = await docker.importImage(fs.createReadStream(tarball) as unknown as string, { repo, tag, ...(changes.length ? { changes } : {}) } as unknown as Record<string, string>);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }>) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
}

/** Makes sure `docker` holds BASE_IMAGE, making the root file system first if it is not cached. */
export async function ensureBaseImage(docker: Docker, debootstrap: string, log: (line: string) => void): Promise<void> {
  if (await docker.getImage(BASE_IMAGE).inspect().then(() => true, () => false)) return;
  log(`Loading ${BASE_IMAGE} into the engine...`);
  await importBaseImage(docker, await ensureBaseImageTarball(debootstrap, log));
}
