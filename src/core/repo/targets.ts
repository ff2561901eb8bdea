import { promises as fs } from 'fs';
import * as path from 'path';
import { BuildRecipe, ContainerRecipe, HostRecipe } from '../build/recipe';
import { DetectedRepository } from './detect';

/** Where moby expects its source inside the dev container, in every era. */
export const MOBY_SOURCE_PATH = '/go/src/github.com/docker/docker';

/** Go's build and module caches, kept between builds as upstream's Makefile does. */
const MOBY_CACHES = [
  { id: 'go-build', path: '/root/.cache' },
  { id: 'go-mod', path: '/go/pkg/mod' },
];

/** The build era of a tree, decided from its files without running anything. */
export type BuildEra =
  | 'moby-hack'      // Makefile runs hack/make.sh in the docker-dev container (≤ 19.03)
  | 'moby-buildx'    // Makefile uses buildx --output=bundles (20.10)
  | 'moby-bake'      // docker-bake.hcl + vendor.mod (23.0+)
  | 'docker-ce'      // components/{engine,cli,packaging}
  | 'cli-makefile'   // docker/cli docker.Makefile
  | 'cli-bake'       // docker/cli docker-bake.hcl
  | 'unknown';

async function read(root: string, rel: string): Promise<string | undefined> {
  return fs.readFile(path.join(root, rel), 'utf8').catch(() => undefined);
}

async function exists(root: string, rel: string): Promise<boolean> {
  return fs.access(path.join(root, rel)).then(() => true, () => false);
}

export async function detectEra(repo: DetectedRepository): Promise<BuildEra> {
  const root = repo.root;
  switch (repo.kind) {
    case 'docker-ce':
      return 'docker-ce';
    case 'docker-cli':
      return (await exists(root, 'docker.Makefile')) ? 'cli-makefile' : (await exists(root, 'docker-bake.hcl')) ? 'cli-bake' : 'unknown';
    case 'moby': {
      const makefile = (await read(root, 'Makefile')) ?? '';
      if (/^binary:.*\n\t\$\(BAKE_CMD\)/m.test(makefile) || (await exists(root, 'docker-bake.hcl'))) return 'moby-bake';
      if (/^binary:\s*buildx/m.test(makefile)) return 'moby-buildx';
      return 'moby-hack';
    }
    default:
      return 'unknown';
  }
}

/**
 * 17.x hack/make.sh writes bundles/$VERSION/<bundle>/; from 18.x on bundles/<bundle>/.
 * Read from the script itself rather than guessed from a version number.
 */
async function mobyBundleDir(root: string): Promise<string> {
  const makeSh = (await read(root, 'hack/make.sh')) ?? '';
  if (/bundles\/\$VERSION/.test(makeSh)) {
    const version = ((await read(root, 'VERSION')) ?? 'dev').trim();
    return `bundles/${version}`;
  }
  return 'bundles';
}

function mobyContainerTarget(repo: DetectedRepository, id: 'binary' | 'dynbinary', bundleDir: string, era: BuildEra): ContainerRecipe {
  const dynamic = id === 'dynbinary';
  return {
    id,
    label: id,
    description: `hack/make.sh ${id} in the dev container (${dynamic ? 'dynamically' : 'statically'} linked dockerd)`,
    repoRoot: repo.root,
    executor: 'container',
    image: { kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', tag: `docker-dev:${repo.name}`.toLowerCase(), target: era === 'moby-hack' ? undefined : 'dev' },
    command: ['hack/make.sh', id],
    sourcePath: MOBY_SOURCE_PATH,
    privileged: true,
    caches: MOBY_CACHES,
    env: {},
    artifacts: [`${bundleDir}/${id === 'binary' ? 'binary-daemon' : 'dynbinary-daemon'}`],
    isDefault: id === 'binary',
  };
}

function hostTarget(repo: DetectedRepository, id: string, command: string[], artifacts: string[], description: string, cwd = '.'): HostRecipe {
  return { id, label: id, description, repoRoot: repo.root, executor: 'host', command, cwd, env: {}, artifacts };
}

/** The build targets of a repository, from its files alone (never `make --dry-run`). */
export async function listTargets(repo: DetectedRepository): Promise<BuildRecipe[]> {
  const era = await detectEra(repo);
  switch (era) {
    case 'moby-hack':
    case 'moby-buildx':
    case 'moby-bake': {
      const bundleDir = await mobyBundleDir(repo.root);
      const recipes: BuildRecipe[] = [mobyContainerTarget(repo, 'binary', bundleDir, era), mobyContainerTarget(repo, 'dynbinary', bundleDir, era)];
      if (era === 'moby-buildx') recipes.push(hostTarget(repo, 'make binary', ['make', 'binary'], ['bundles/binary-daemon'], 'the Makefile with buildx on this machine (--output=bundles/)'));
      if (era === 'moby-bake') recipes.push(hostTarget(repo, 'make binary', ['make', 'binary'], ['bundles/binary'], 'docker buildx bake binary on this machine'));
      return recipes;
    }
    case 'docker-ce':
      return [
        { ...hostTarget(repo, 'static', ['make', 'static', 'DOCKER_BUILD_PKGS=static-linux'], ['components/packaging/static/build/linux'], 'static Linux binaries (make static DOCKER_BUILD_PKGS=static-linux)'), isDefault: true },
        hostTarget(repo, 'deb', ['make', 'deb'], ['components/packaging/deb/debbuild'], 'Debian packages'),
        hostTarget(repo, 'rpm', ['make', 'rpm'], ['components/packaging/rpm/rpmbuild'], 'RPM packages'),
      ];
    case 'cli-makefile':
      return [{ ...hostTarget(repo, 'binary', ['make', '-f', 'docker.Makefile', 'binary'], ['build'], 'the docker CLI in its build container (docker.Makefile)'), isDefault: true }];
    case 'cli-bake':
      return [{ ...hostTarget(repo, 'binary', ['docker', 'buildx', 'bake', 'binary'], ['build'], 'the docker CLI with buildx bake'), isDefault: true }];
    default:
      return [];
  }
}
