/**
 * Files and folders whose presence marks the root of a Docker source tree.
 * The manifest's `workspaceContains` activation events are checked against
 * this list by a test, so the two cannot drift apart.
 */
export const DOCKER_REPO_MARKERS = [
  'hack/make.sh',        // moby/moby (and docker/docker before the rename)
  'vendor.conf',         // vndr era: moby, docker/cli, swarmkit, containerd...
  'vendor.mod',          // Go-module era of moby and docker/cli
  'docker-bake.hcl',     // BuildKit bake era
  'components/engine',   // docker/docker-ce monorepo
  'docker.Makefile',     // docker/cli's containerised Makefile
] as const;

export type DockerRepoMarker = (typeof DOCKER_REPO_MARKERS)[number];
