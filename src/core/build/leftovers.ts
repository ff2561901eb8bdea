import type Docker from 'dockerode';
import * as os from 'os';
import { LABEL_BUILD, LABEL_OWNER, LABEL_REPO } from './executor';

/** The owner label value of builds started by this process. */
export const OWNER = `${os.hostname()}:${process.pid}`;

/** Runs of this process whose containers are live; everything else of ours with our owner label is left over. */
const activeRuns = new Set<string>();

export function trackRun(runId: string): () => void {
  activeRuns.add(runId);
  return () => activeRuns.delete(runId);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A container is left over when its owner is gone: a process on this host
 * that no longer runs, a run of this process that has finished, or (for
 * containers made before owner labels) one that is not running. Containers
 * of a live build elsewhere (another window, the CLI, another host) are left alone.
 */
export function isLeftover(labels: Record<string, string>, state: string): boolean {
  const owner = labels[LABEL_OWNER];
  if (!owner) return state !== 'running';
  const sep = owner.lastIndexOf(':');
  const host = owner.slice(0, sep);
  const pid = Number(owner.slice(sep + 1));
  if (host !== os.hostname() || !Number.isInteger(pid)) return false;
  if (pid === process.pid) return !activeRuns.has(labels[LABEL_BUILD]);
  return !processAlive(pid);
}

/**
 * Removes what an earlier, crashed session of this repository left in the
 * engine: its build containers (with their anonymous volumes) and builder
 * images that a rebuild has since replaced (dangling, so never the image a
 * build uses now, and created before `before`, so never one being built).
 * Cache volumes are kept: they are the point of caching. Returns what went.
 */
export async function removeLeftovers(docker: Docker, repoRoot: string, before: Date): Promise<string[]> {
  const removed: string[] = [];
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL_BUILD, `${LABEL_REPO}=${repoRoot}`] } });
  await Promise.all(
    containers
      .filter((c) => isLeftover(c.Labels ?? {}, c.State))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .then(() => removed.push(`container ${c.Id.slice(0, 12)}`), () => undefined),
      ),
  );
  const images = await docker.listImages({ filters: { dangling: ['true'], label: [`${LABEL_REPO}=${repoRoot}`] } }).catch(() => []);
  await Promise.all(
    images
      .filter((i) => i.Created * 1000 < before.getTime())
      // Not forced: an image a container still uses stays.
      .map((i) => docker.getImage(i.Id).remove().then(() => removed.push(`image ${i.Id.replace(/^sha256:/, '').slice(0, 12)}`), () => undefined)),
  );
  return removed;
}
