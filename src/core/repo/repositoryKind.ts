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
 * paths. Order matters: docker-ce contains an engine and a cli; docker/docker
 * before the 17.06 split has the client's cmd/docker/docker.go next to
 * hack/make.sh, so the engine's markers are checked before the cli's (docker/cli
 * never has hack/make.sh or cmd/dockerd); and docker/cli has a vendor file
 * like everyone else.
 */
export function classify(markers: ReadonlySet<DockerRepoMarker>, has: (relPath: string) => boolean): RepositoryKind {
  if (markers.has('components/engine')) return 'docker-ce';
  if (markers.has('hack/make.sh') || has('cmd/dockerd')) return 'moby';
  if (markers.has('docker.Makefile') || has('cmd/docker/docker.go')) return 'docker-cli';
  return 'component';
}
