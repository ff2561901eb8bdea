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
  | 'moby-presplit'  // docker/docker with the client in the same tree (1.12–17.03): hack/make.sh in the dev container
  | 'moby-hack'      // Makefile runs hack/make.sh in the docker-dev container (17.06–19.03)
  | 'moby-buildx'    // Makefile uses buildx --output=bundles (20.10)
  | 'moby-bake'      // docker-bake.hcl + vendor.mod (23.0+)
  | 'docker-ce'      // components/{engine,cli,packaging}
  | 'cli-makefile'   // docker/cli docker.Makefile that runs its own build container
  | 'cli-bake'       // docker/cli built with docker buildx bake
  | 'unknown';

/** What a user would call each era: shown by `dockerfork targets` and in the editor. */
export const ERA_LABELS: Record<BuildEra, string> = {
  'moby-presplit': 'docker/docker 1.12–17.03 (engine and client in one tree), hack/make.sh in the dev container',
  'moby-hack': 'moby 17.06–19.03, hack/make.sh in the dev container',
  'moby-buildx': 'moby 20.10, make binary with buildx or hack/make.sh in the dev container',
  'moby-bake': 'moby 23.0 and later, make binary with buildx bake or hack/make.sh in the dev container',
  'docker-ce': 'docker-ce 18.03–19.03, make static / deb / rpm',
  'cli-makefile': 'docker/cli 18.09–20.10, make -f docker.Makefile binary',
  'cli-bake': 'docker/cli 23.0 and later, docker buildx bake binary',
  unknown: 'unknown build layout (add your own targets in dockerFork.targets)',
};

async function read(root: string, rel: string): Promise<string | undefined> {
  return fs.readFile(path.join(root, rel), 'utf8').catch(() => undefined);
}

async function exists(root: string, rel: string): Promise<boolean> {
  return fs.access(path.join(root, rel)).then(() => true, () => false);
}

/** The recipe lines of a Makefile rule (tab-indented lines after `name:`), or undefined without one. */
function makeRule(makefile: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:.*\\n((?:\\t.*\\n?)*)`, 'm').exec(makefile);
  return m ? m[1] : undefined;
}

export async function detectEra(repo: DetectedRepository): Promise<BuildEra> {
  const root = repo.root;
  switch (repo.kind) {
    case 'docker-ce':
      return 'docker-ce';
    case 'docker-cli': {
      // docker.Makefile lives on in bake-era trees, where its `binary` rule just runs `docker buildx bake binary`.
      const dockerMakefile = await read(root, 'docker.Makefile');
      if (dockerMakefile !== undefined) return /buildx\s+bake/.test(makeRule(dockerMakefile, 'binary') ?? '') ? 'cli-bake' : 'cli-makefile';
      return (await exists(root, 'docker-bake.hcl')) ? 'cli-bake' : 'unknown';
    }
    case 'moby': {
      const makefile = (await read(root, 'Makefile')) ?? '';
      const binaryRule = makeRule(makefile, 'binary') ?? '';
      if (/\$\(BAKE_CMD\)|buildx\s+bake/.test(binaryRule) || (await exists(root, 'docker-bake.hcl'))) return 'moby-bake';
      if (/^binary:\s*buildx/m.test(makefile) || /--output=bundles/.test(binaryRule)) return 'moby-buildx';
      // Before the 17.06 split the client (cmd/docker) was built from the same tree.
      return (await exists(root, 'cmd/docker/docker.go')) ? 'moby-presplit' : 'moby-hack';
    }
    default:
      return 'unknown';
  }
}

/**
 * Up to 17.09 hack/make.sh writes bundles/$VERSION/<bundle>/ (VERSION read
 * from the VERSION file); from 17.12 on bundles/<bundle>/. Read from the
 * script itself rather than guessed from a version number.
 */
async function mobyBundleDir(root: string): Promise<string> {
  const makeSh = (await read(root, 'hack/make.sh')) ?? '';
  if (/bundles\/\$VERSION/.test(makeSh)) {
    const version = ((await read(root, 'VERSION')) ?? 'dev').trim();
    return `bundles/${version}`;
  }
  return 'bundles';
}

/**
 * The folders a hack/make.sh bundle writes: hack/make/<bundle> sets
 * DEST="${DEST}-daemon" (and "${DEST}-client" before the 17.06 split).
 * Without that script, the daemon folder every era has.
 */
async function mobyBundleOutputs(root: string, bundle: string): Promise<string[]> {
  const script = (await read(root, `hack/make/${bundle}`)) ?? '';
  const suffixes = [...script.matchAll(/DEST="\$\{DEST\}-([a-z]+)"/g)].map((m) => m[1]);
  return (suffixes.length ? [...new Set(suffixes)] : ['daemon']).map((s) => `${bundle}-${s}`);
}

/** The dev image stage: upstream builds `--target=dev` where the Dockerfile has one (multi-stage, 18.09 on). */
async function devStage(root: string): Promise<string | undefined> {
  const dockerfile = (await read(root, 'Dockerfile')) ?? '';
  return /^FROM\s.*\sAS\s+dev\s*$/im.test(dockerfile) ? 'dev' : undefined;
}

async function mobyContainerTarget(repo: DetectedRepository, id: 'binary' | 'dynbinary', bundleDir: string, target: string | undefined): Promise<ContainerRecipe> {
  const dynamic = id === 'dynbinary';
  const outputs = await mobyBundleOutputs(repo.root, id);
  return {
    id,
    label: id,
    description: `hack/make.sh ${id} in the dev container (${dynamic ? 'dynamically' : 'statically'} linked ${outputs.length > 1 ? 'docker and dockerd' : 'dockerd'})`,
    repoRoot: repo.root,
    executor: 'container',
    image: { kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', tag: `docker-dev:${repo.name}`.toLowerCase(), target },
    command: ['hack/make.sh', id],
    sourcePath: MOBY_SOURCE_PATH,
    privileged: true,
    caches: MOBY_CACHES,
    env: {},
    artifacts: outputs.map((o) => `${bundleDir}/${o}`),
    isDefault: id === 'binary',
  };
}

/**
 * Re-vendoring as upstream does it, in the dev container: hack/vendor.sh, a
 * wrapper around vndr and vendor.conf up to 20.10, and around
 * `go mod vendor -modfile vendor.mod` (go.mod from 29) after. Only offered
 * where the tree has the script; what it runs is told from the script itself.
 */
async function mobyVendorTarget(repo: DetectedRepository, target: string | undefined): Promise<ContainerRecipe | undefined> {
  const script = await read(repo.root, 'hack/vendor.sh');
  if (script === undefined) return undefined;
  const how = /\bvndr\b/.test(script) ? 'vndr, from vendor.conf' : /go mod vendor|vendor\.mod/.test(script) ? 'go mod vendor, from vendor.mod' : 'the repository\'s own vendoring';
  return {
    id: 'vendor',
    label: 'vendor',
    description: `hack/vendor.sh in the dev container (${how}): re-vendors vendor/ after pointing a dependency at a fork`,
    repoRoot: repo.root,
    executor: 'container',
    image: { kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', tag: `docker-dev:${repo.name}`.toLowerCase(), target },
    command: ['hack/vendor.sh'],
    sourcePath: MOBY_SOURCE_PATH,
    // Fetching and copying sources needs no privileges, unlike building with the graphdrivers.
    privileged: false,
    env: {},
    artifacts: ['vendor'],
  };
}

function hostTarget(repo: DetectedRepository, id: string, command: string[], artifacts: string[], description: string, cwd = '.'): HostRecipe {
  return { id, label: id, description, repoRoot: repo.root, executor: 'host', command, cwd, env: {}, artifacts };
}

/** The build targets of a repository, from its files alone (never `make --dry-run`). */
export async function listTargets(repo: DetectedRepository): Promise<BuildRecipe[]> {
  const era = await detectEra(repo);
  switch (era) {
    case 'moby-presplit':
    case 'moby-hack':
    case 'moby-buildx':
    case 'moby-bake': {
      const [bundleDir, stage] = await Promise.all([mobyBundleDir(repo.root), devStage(repo.root)]);
      const recipes: BuildRecipe[] = await Promise.all([mobyContainerTarget(repo, 'binary', bundleDir, stage), mobyContainerTarget(repo, 'dynbinary', bundleDir, stage)]);
      const vendor = await mobyVendorTarget(repo, stage);
      if (vendor) recipes.push(vendor);
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
