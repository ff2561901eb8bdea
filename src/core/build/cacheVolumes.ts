import { createHash } from 'crypto';
import type Docker from 'dockerode';
import { promises as fs } from 'fs';
import { LABEL_BUILD, LABEL_REPO } from './executor';
import { isLeftover } from './leftovers';
import { CacheMount } from './recipe';

/** Labels on cache volumes, so they can be listed and cleared per repository. */
export const LABEL_CACHE = 'io.dockerfork.cache';
export const LABEL_CACHE_IMAGE = 'io.dockerfork.image';

/** One cache volume as the engine reports it. */
export interface CacheVolume {
  readonly name: string;
  readonly id: string;
  readonly repoRoot: string;
  readonly image: string;
  readonly createdAt?: string;
}

/** Whether a build starts with what the last build left. */
export interface CacheState {
  readonly mount: CacheMount;
  readonly volume: string;
  readonly warm: boolean;
  /** For the terminal: `new volume`, `reused, 812 entries`... */
  readonly detail: string;
}

/** The volume name for one cache of one repository and builder image: stable, and safe as a Docker name. */
export function cacheVolumeName(repoRoot: string, image: string, id: string): string {
  const key = createHash('sha256').update(`${repoRoot}\0${image}`).digest('hex').slice(0, 12);
  return `dockerfork-${id.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${key}`;
}

/**
 * Makes sure each cache volume exists (labelled, so it can be listed and
 * cleared) and says whether it is warm: it existed and, where its folder can
 * be read from here (a local engine), is not empty. Creating it ourselves
 * rather than letting `run` do it is what puts the labels on it.
 */
export async function ensureCacheVolumes(docker: Docker, repoRoot: string, image: string, mounts: readonly CacheMount[]): Promise<CacheState[]> {
  return Promise.all(
    mounts.map(async (mount): Promise<CacheState> => {
      const volume = cacheVolumeName(repoRoot, image, mount.id);
      const found = (await docker.getVolume(volume).inspect().catch(() => undefined)) as { Mountpoint?: string } | undefined;
      if (!found) {
        await docker.createVolume({ Name: volume, Labels: { [LABEL_CACHE]: mount.id, [LABEL_REPO]: repoRoot, [LABEL_CACHE_IMAGE]: image } });
        return { mount, volume, warm: false, detail: 'new volume' };
      }
      const entries = found.Mountpoint ? await fs.readdir(found.Mountpoint).then((e) => e.length, () => undefined) : undefined;
      if (entries === 0) return { mount, volume, warm: false, detail: 'volume is empty' };
      return { mount, volume, warm: true, detail: entries === undefined ? 'reused' : `reused, ${entries} ${entries === 1 ? 'entry' : 'entries'}` };
    }),
  );
}

/** The cache volumes of one repository (or of all, without `repoRoot`). */
export async function listCacheVolumes(docker: Docker, repoRoot?: string): Promise<CacheVolume[]> {
  const label = repoRoot ? [LABEL_CACHE, `${LABEL_REPO}=${repoRoot}`] : [LABEL_CACHE];
  const { Volumes } = await docker.listVolumes({ filters: { label } });
  return (Volumes ?? [])
    .map((v) => {
      const labels = v.Labels ?? {};
      return { name: v.Name, id: labels[LABEL_CACHE], repoRoot: labels[LABEL_REPO], image: labels[LABEL_CACHE_IMAGE], createdAt: (v as { CreatedAt?: string }).CreatedAt };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A build of the repository is running: its caches are in use. */
export class CacheInUseError extends Error {
  override name = 'CacheInUseError';
}

/**
 * Removes the repository's cache volumes. Refused while a build of the
 * repository runs (from this process, another editor window or the CLI):
 * a compile whose cache vanishes under it fails in confusing ways, and the
 * engine refuses volumes in use anyway. A crashed session's containers,
 * which would also hold the volumes, are removed first.
 */
export async function clearCacheVolumes(docker: Docker, repoRoot: string): Promise<CacheVolume[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL_BUILD, `${LABEL_REPO}=${repoRoot}`] } });
  const live = containers.find((c) => !isLeftover(c.Labels ?? {}, c.State));
  if (live) {
    throw new CacheInUseError(`A build of ${repoRoot} is running (container ${live.Id.slice(0, 12)}): stop it before clearing its caches.`);
  }
  // A crashed session's container would hold the volumes: it goes first.
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const volumes = await listCacheVolumes(docker, repoRoot);
  for (const v of volumes) {
    await docker.getVolume(v.name).remove().catch((e: Error) => {
      throw new CacheInUseError(`Cannot remove cache volume ${v.name} of ${repoRoot}: ${e.message}`);
    });
  }
  return volumes;
}
