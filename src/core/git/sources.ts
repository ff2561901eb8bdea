/** The canonical Docker repositories a clone can start from, by the short name the CLI and the editor offer. */
export const DOCKER_SOURCES = {
  moby: { url: 'https://github.com/moby/moby.git', label: 'moby/moby (the Docker engine)', archived: false },
  cli: { url: 'https://github.com/docker/cli.git', label: 'docker/cli (the docker command)', archived: false },
  'docker-ce': { url: 'https://github.com/docker/docker-ce.git', label: 'docker/docker-ce (archived: engine, cli and packaging 18.03–20.10)', archived: true },
  swarmkit: { url: 'https://github.com/moby/swarmkit.git', label: 'moby/swarmkit (swarm orchestration)', archived: false },
  containerd: { url: 'https://github.com/containerd/containerd.git', label: 'containerd/containerd (the container runtime)', archived: false },
} as const;

export type DockerSourceName = keyof typeof DOCKER_SOURCES;

export function isDockerSourceName(s: string): s is DockerSourceName {
  return Object.prototype.hasOwnProperty.call(DOCKER_SOURCES, s);
}

/** A short name (`moby`) becomes its canonical URL; anything else is taken as a URL or path as given. */
export function sourceUrl(source: string): string {
  return isDockerSourceName(source) ? DOCKER_SOURCES[source].url : source;
}

/** The folder `git clone` would make for a URL: its last path part without `.git`. */
export function defaultCloneDirectory(source: string): string {
  const url = sourceUrl(source).replace(/[/\\]+$/, '');
  const last = url.split(/[/\\:]/).pop() ?? '';
  return last.replace(/\.git$/, '') || 'repository';
}
