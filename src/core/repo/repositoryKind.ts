import type { DockerRepoMarker } from './markers';

/** What sort of Docker source tree a folder is. */
export type RepositoryKind =
  | 'moby'        // moby/moby, docker/docker
  | 'docker-ce'   // docker/docker-ce with components/{engine,cli,packaging}
  | 'docker-cli'  // docker/cli
  | 'component';  // a vendored Go component (swarmkit, containerd, ...) with vendor.conf or vendor.mod

export const KIND_LABELS: Record<RepositoryKind, string> = {
  moby: 'moby (Docker engine)',
  'docker-ce': 'docker-ce',
  'docker-cli': 'docker/cli',
  component: 'Go component',
};

/**
 * Classifies a tree from the markers found at its root plus a few extra
 * paths. Order matters: docker-ce contains an engine and a cli, and docker/cli
 * has a vendor file like everyone else.
 */
export function classify(markers: ReadonlySet<DockerRepoMarker>, has: (relPath: string) => boolean): RepositoryKind {
  if (markers.has('components/engine')) return 'docker-ce';
  if (markers.has('docker.Makefile') || has('cmd/docker/docker.go')) return 'docker-cli';
  if (markers.has('hack/make.sh') || has('cmd/dockerd')) return 'moby';
  return 'component';
}
