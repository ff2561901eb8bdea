import { promises as fs } from 'fs';
import * as path from 'path';
import { DOCKER_REPO_MARKERS, DockerRepoMarker } from './markers';
import { classify, RepositoryKind } from './repositoryKind';

/** A Docker source tree found on disk. Detection only reads the file system. */
export interface DetectedRepository {
  /** Absolute path of the tree's root. */
  readonly root: string;
  /** Folder name, used as the display name. */
  readonly name: string;
  readonly kind: RepositoryKind;
  /** The markers present at the root, in DOCKER_REPO_MARKERS order. */
  readonly markers: readonly DockerRepoMarker[];
}

/** Folders never searched for nested repositories: huge, generated or vendored. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'vendor', 'bundles', 'build', 'dist', 'out']);

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Detects whether `dir` itself is the root of a Docker source tree. */
export async function detectRepository(dir: string): Promise<DetectedRepository | undefined> {
  const root = path.resolve(dir);
  const found = await Promise.all(DOCKER_REPO_MARKERS.map(async (m) => ((await exists(path.join(root, m))) ? m : undefined)));
  const markers = found.filter((m): m is DockerRepoMarker => m !== undefined);
  if (markers.length === 0) return undefined;
  const extra = ['cmd/docker/docker.go', 'cmd/dockerd'];
  const present = new Set((await Promise.all(extra.map(async (p) => ((await exists(path.join(root, p))) ? p : '')))).filter(Boolean));
  return { root, name: path.basename(root), kind: classify(new Set(markers), (p) => present.has(p)), markers };
}

/**
 * Finds Docker source trees at `dir` and up to `depth` levels below it. A tree
 * that is found is not searched further: docker-ce's components are part of it.
 */
export async function findRepositories(dir: string, depth: number): Promise<DetectedRepository[]> {
  const here = await detectRepository(dir);
  if (here) return [here];
  if (depth <= 0) return [];
  let entries: import('fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const children = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name))
    .map((e) => e.name)
    .sort();
  const nested = await Promise.all(children.map((c) => findRepositories(path.join(dir, c), depth - 1)));
  return nested.flat();
}
