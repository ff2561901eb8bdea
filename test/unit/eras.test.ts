import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { BuildEra, detectEra, ERA_LABELS, listTargets } from '../../src/core/repo/targets';

/*
 * The era table: one small tree per era the README claims, holding only the
 * lines detection and listTargets read, copied from the upstream tags named
 * (moby/moby, docker/docker-ce, docker/cli). Everything else upstream has is
 * left out; "..." lines stand for what was cut.
 */

// ---- moby / docker/docker ----------------------------------------------------

/** hack/make.sh up to 17.09: VERSION from the file, bundles/$VERSION/<bundle>. */
const MAKE_SH_VERSIONED = 'VERSION=$(< ./VERSION)\n...\n\tmkdir -p bundles\n\tif [ -e "bundles/$VERSION" ] && [ -z "$KEEPBUNDLE" ]; then\n...\n\t\texport DEST="bundles/$VERSION/$(basename "$bundle")"\n';
/** hack/make.sh 17.12–19.03: bundles/<bundle>. */
const MAKE_SH_FLAT = 'VERSION=${VERSION:-dev}\n...\n\t\techo "Removing bundles/"\n...\n\t\texport DEST="bundles/$(basename "$bundle")"\n';
/** hack/make.sh 20.10 on. */
const MAKE_SH_BUNDLE_DIR = 'VERSION=${VERSION:-dev}\n...\n\tbundle_dir="bundles"\n...\n\t\texport DEST="${bundle_dir}/$(basename "$bundle")"\n';

/** hack/make/binary and dynbinary before the split build the client too (1.12–17.03). */
const PRESPLIT_BUNDLES = {
  'hack/make/binary': '#!/bin/bash\nset -e\nrm -rf "$DEST"\n\n# This script exists as backwards compatibility for CI\n(\n\tDEST="${DEST}-client"\n\tABS_DEST="${ABS_DEST}-client"\n\t. hack/make/binary-client\n)\n(\n\tDEST="${DEST}-daemon"\n\tABS_DEST="${ABS_DEST}-daemon"\n\t. hack/make/binary-daemon\n)\n',
  'hack/make/dynbinary': '#!/bin/bash\nset -e\n\n# This script exists as backwards compatibility for CI\n(\n    DEST="${DEST}-client"\n    ABS_DEST="${ABS_DEST}-client"\n    . hack/make/dynbinary-client\n)\n(\n\n    DEST="${DEST}-daemon"\n    ABS_DEST="${ABS_DEST}-daemon"\n    . hack/make/dynbinary-daemon\n)\n',
  'cmd/docker/docker.go': 'package main\n',
};
/** From 17.06 on, the daemon only. */
const DAEMON_BUNDLES = {
  'hack/make/binary': '#!/usr/bin/env bash\nset -e\nrm -rf "$DEST"\n\n# This script exists as backwards compatibility for CI\n(\n\tDEST="${DEST}-daemon"\n\tABS_DEST="${ABS_DEST}-daemon"\n\t. hack/make/binary-daemon\n)\n',
  'hack/make/dynbinary': '#!/usr/bin/env bash\nset -e\n\n# This script exists as backwards compatibility for CI\n(\n\tDEST="${DEST}-daemon"\n\tABS_DEST="${ABS_DEST}-daemon"\n\t. hack/make/dynbinary-daemon\n)\n',
};
/** 28.0 builds docker-proxy into the same folder. */
const DAEMON_PROXY_BUNDLES = {
  'hack/make/binary': '#!/usr/bin/env bash\nset -e\nrm -rf "$DEST"\n\n# This script exists as backwards compatibility for CI\n(\n\tDEST="${DEST}-daemon"\n\tABS_DEST="${ABS_DEST}-daemon"\n\t. hack/make/binary-daemon\n\t. hack/make/binary-proxy\n)\n',
  'hack/make/dynbinary': '#!/usr/bin/env bash\nset -e\nrm -rf "$DEST"\n\n# This script exists as backwards compatibility for CI\n(\n\tDEST="${DEST}-daemon"\n\tABS_DEST="${ABS_DEST}-daemon"\n\t. hack/make/dynbinary-daemon\n\t. hack/make/dynbinary-proxy\n)\n',
};

const MAKEFILE_HACK = 'DOCKER_RUN_DOCKER := $(DOCKER_FLAGS) "$(DOCKER_IMAGE)"\n\ndefault: binary\n...\nbinary: build ## build the linux binaries\n\t$(DOCKER_RUN_DOCKER) hack/make.sh binary\n\n';
const MAKEFILE_HACK_DYN = MAKEFILE_HACK + 'dynbinary: build ## build the linux dynbinaries\n\t$(DOCKER_RUN_DOCKER) hack/make.sh dynbinary\n\n';
const MAKEFILE_BUILDX =
  'BUILDX ?= bundles/buildx\nDOCKER ?= docker\n...\nbinary: buildx autogen ## build statically linked linux binaries\n\t$(BUILD_CMD) $(BUILD_OPTS) --output=bundles/ --target=$@ $(VERSION_AUTOGEN_ARGS) .\n\n' +
  'dynbinary: buildx autogen ## build dynamically linked linux binaries\n\t$(BUILD_CMD) $(BUILD_OPTS) --output=bundles/ --target=$@ $(VERSION_AUTOGEN_ARGS) .\n';
const MAKEFILE_BAKE =
  'BUILDX ?= $(DOCKER) buildx\n...\nBAKE_CMD := $(BUILDX) bake\n\ndefault: binary\n...\nbinary: bundles ## build statically linked linux binaries\n\t$(BAKE_CMD) binary\n\n' +
  'dynbinary: bundles ## build dynamically linked linux binaries\n\t$(BAKE_CMD) dynbinary\n';
const MOBY_BAKE_HCL = 'variable "DESTDIR" {\n  default = ""\n}\n...\ntarget "binary" {\n  inherits = ["_common"]\n  target = "binary"\n  output = [bindir(DOCKER_STATIC == "1" ? "binary" : "dynbinary")]\n}\n';

const DOCKERFILE_JESSIE = '# This file describes the standard way to build Docker, using docker\n#\n# Usage:\n...\nFROM debian:jessie\n';
const dockerfileStages = (head: string, devFrom: string) => `${head}\n...\n${devFrom} AS dev\n...\n`;

const moby = (files: Record<string, string>) => ({ 'cmd/dockerd/docker.go': 'package main\n', ...files });

// ---- docker-ce ---------------------------------------------------------------

const DOCKER_CE_MAKEFILE =
  'CLI_DIR:=$(CURDIR)/components/cli\nENGINE_DIR:=$(CURDIR)/components/engine\nPACKAGING_DIR:=$(CURDIR)/components/packaging\n...\nVERSION=$(shell cat VERSION)\n...\n' +
  'deb: ## build deb packages\n\t$(MAKE) VERSION=$(VERSION) CLI_DIR=$(CLI_DIR) ENGINE_DIR=$(ENGINE_DIR) -C $(PACKAGING_DIR) deb\n\n.PHONY: rpm\n' +
  'rpm: ## build rpm packages\n\t$(MAKE) VERSION=$(VERSION) CLI_DIR=$(CLI_DIR) ENGINE_DIR=$(ENGINE_DIR) -C $(PACKAGING_DIR) rpm\n\n.PHONY: static\n' +
  'static: ## build static packages\n\t$(MAKE) VERSION=$(VERSION) CLI_DIR=$(CLI_DIR) ENGINE_DIR=$(ENGINE_DIR) -C $(PACKAGING_DIR) static\n';
const dockerCe = (version: string, cliBinaryRule: string) => ({
  VERSION: `${version}\n`,
  Makefile: DOCKER_CE_MAKEFILE,
  'components/engine/hack/make.sh': MAKE_SH_FLAT,
  'components/engine/cmd/dockerd/docker.go': 'package main\n',
  'components/cli/docker.Makefile': cliBinaryRule,
  'components/cli/cmd/docker/docker.go': 'package main\n',
  'components/packaging/static/Makefile':
    'static-linux: static-cli static-engine ## create tgz with linux x86_64 client and server\n\tmkdir -p build/linux/docker\n\tcp $(CLI_DIR)/build/docker build/linux/docker/\n...\n\t\tcp -L $(ENGINE_DIR)/bundles/binary-daemon/$$f build/linux/docker/$$f; \\\n',
});

// ---- docker/cli --------------------------------------------------------------

const CLI_DOCKER_MAKEFILE_RUN = 'binary: build_binary_native_image ## build the CLI\n\t$(DOCKER_RUN) $(BINARY_NATIVE_IMAGE_NAME)\n\nbuild: binary ## alias for binary\n';
const CLI_DOCKER_MAKEFILE_BAKE = '.PHONY: binary\nbinary: ## build executable\n\tPACKAGER_NAME=$(PACKAGER_NAME) docker buildx bake binary\n\nbuild: binary ## alias for binary\n';
const CLI_MAKEFILE = 'binary: ## build executable for Linux\n\t./scripts/build/binary\n';
const CLI_BAKE_HCL = 'target "binary" {\n    inherits = ["_common"]\n    target = "binary"\n    platforms = ["local"]\n    output = ["build"]\n...\n}\n';
const cli = (files: Record<string, string>) => ({ 'cmd/docker/docker.go': 'package main\n', Makefile: CLI_MAKEFILE, ...files });

// ---- expectations ------------------------------------------------------------

interface Expected {
  id: string;
  executor: 'container' | 'host';
  command: string[];
  isDefault: boolean;
  artifacts: string[];
  /** Container targets: the Dockerfile stage built for the dev image. */
  stage?: string;
}

const container = (id: string, artifacts: string[], stage?: string): Expected => ({ id, executor: 'container', command: ['hack/make.sh', id], isDefault: id === 'binary', artifacts, stage });
const host = (id: string, command: string[], artifacts: string[], isDefault = false): Expected => ({ id, executor: 'host', command, isDefault, artifacts });
const mobyTargets = (bundles: string, stage: string | undefined, outputs = ['daemon']) => [
  container('binary', outputs.map((o) => `${bundles}/binary-${o}`), stage),
  container('dynbinary', outputs.map((o) => `${bundles}/dynbinary-${o}`), stage),
];
const DOCKER_CE_TARGETS = [
  host('static', ['make', 'static', 'DOCKER_BUILD_PKGS=static-linux'], ['components/packaging/static/build/linux'], true),
  host('deb', ['make', 'deb'], ['components/packaging/deb/debbuild']),
  host('rpm', ['make', 'rpm'], ['components/packaging/rpm/rpmbuild']),
];

interface Era {
  tag: string;
  files: Record<string, string>;
  kind: string;
  era: BuildEra;
  targets: Expected[];
}

const ERAS: Era[] = [
  // docker/docker before the split: cmd/docker/docker.go next to hack/make.sh, client and daemon, bundles/<VERSION>/.
  { tag: 'moby v1.12.6', kind: 'moby', era: 'moby-presplit', files: moby({ VERSION: '1.12.6\n', Makefile: MAKEFILE_HACK, 'hack/make.sh': MAKE_SH_VERSIONED, Dockerfile: DOCKERFILE_JESSIE, ...PRESPLIT_BUNDLES }), targets: mobyTargets('bundles/1.12.6', undefined, ['client', 'daemon']) },
  { tag: 'moby v1.13.1', kind: 'moby', era: 'moby-presplit', files: moby({ VERSION: '1.13.1\n', 'vendor.conf': '# the following lines are in sorted order, FYI\n', Makefile: MAKEFILE_HACK, 'hack/make.sh': MAKE_SH_VERSIONED, Dockerfile: DOCKERFILE_JESSIE, ...PRESPLIT_BUNDLES }), targets: mobyTargets('bundles/1.13.1', undefined, ['client', 'daemon']) },
  { tag: 'moby v17.03.2-ce', kind: 'moby', era: 'moby-presplit', files: moby({ VERSION: '17.03.2-ce\n', 'vendor.conf': '# the following lines are in sorted order, FYI\n', Makefile: MAKEFILE_HACK, 'hack/make.sh': MAKE_SH_VERSIONED, Dockerfile: DOCKERFILE_JESSIE, ...PRESPLIT_BUNDLES }), targets: mobyTargets('bundles/17.03.2-ce', undefined, ['client', 'daemon']) },
  // 17.06–17.09: daemon only, still bundles/<VERSION>/.
  { tag: 'moby v17.06.2-ce', kind: 'moby', era: 'moby-hack', files: moby({ VERSION: '17.06.2-ce\n', 'vendor.conf': '', Makefile: MAKEFILE_HACK, 'hack/make.sh': MAKE_SH_VERSIONED, Dockerfile: DOCKERFILE_JESSIE, ...DAEMON_BUNDLES }), targets: mobyTargets('bundles/17.06.2-ce', undefined) },
  { tag: 'moby v17.09.1-ce', kind: 'moby', era: 'moby-hack', files: moby({ VERSION: '17.09.1-ce\n', 'vendor.conf': '', Makefile: MAKEFILE_HACK_DYN, 'hack/make.sh': MAKE_SH_VERSIONED, Dockerfile: DOCKERFILE_JESSIE, ...DAEMON_BUNDLES }), targets: mobyTargets('bundles/17.09.1-ce', undefined) },
  // 17.12 dropped the VERSION file and the versioned folder.
  { tag: 'moby v17.12.1-ce', kind: 'moby', era: 'moby-hack', files: moby({ 'vendor.conf': '', Makefile: MAKEFILE_HACK_DYN, 'hack/make.sh': MAKE_SH_FLAT, Dockerfile: DOCKERFILE_JESSIE.replace('jessie', 'stretch'), ...DAEMON_BUNDLES }), targets: mobyTargets('bundles', undefined) },
  // 18.09 and 19.03: multi-stage Dockerfile with a dev stage, no # syntax line.
  { tag: 'moby v18.09.9', kind: 'moby', era: 'moby-hack', files: moby({ 'vendor.conf': '', Makefile: MAKEFILE_HACK_DYN, 'hack/make.sh': MAKE_SH_FLAT, Dockerfile: dockerfileStages('# This file describes the standard way to build Docker, using docker\n...\nARG GO_VERSION=1.11.13\n\nFROM golang:${GO_VERSION}-stretch AS base', 'FROM runtime-dev'), ...DAEMON_BUNDLES }), targets: mobyTargets('bundles', 'dev') },
  { tag: 'moby v19.03.15', kind: 'moby', era: 'moby-hack', files: moby({ 'vendor.conf': '', Makefile: MAKEFILE_HACK_DYN, 'hack/make.sh': MAKE_SH_FLAT, Dockerfile: dockerfileStages('# This file describes the standard way to build Docker, using docker\n...\nARG GO_VERSION=1.13.15\n...\nFROM golang:${GO_VERSION}-buster AS base', 'FROM runtime-dev'), ...DAEMON_BUNDLES }), targets: mobyTargets('bundles', 'dev') },
  // 20.10: # syntax line, RUN --mount, Makefile through buildx --output=bundles/.
  {
    tag: 'moby v20.10.24', kind: 'moby', era: 'moby-buildx',
    files: moby({ 'vendor.conf': '', Makefile: MAKEFILE_BUILDX, 'hack/make.sh': MAKE_SH_BUNDLE_DIR, Dockerfile: dockerfileStages('# syntax=docker/dockerfile:1\n\nARG CROSS="false"\nARG SYSTEMD="false"\n...\nARG GO_VERSION=1.19.7', 'FROM dev-systemd-${SYSTEMD}'), ...DAEMON_BUNDLES }),
    targets: [...mobyTargets('bundles', 'dev'), host('make binary', ['make', 'binary'], ['bundles/binary-daemon'])],
  },
  // 23.0 on: vendor.mod, docker-bake.hcl, Makefile through $(BAKE_CMD).
  ...[
    ['v23.0.0', '# syntax=docker/dockerfile:1\n\nARG GO_VERSION=1.19.5', DAEMON_BUNDLES],
    ['v25.0.0', '# syntax=docker/dockerfile:1\n\nARG GO_VERSION=1.21.6', DAEMON_BUNDLES],
    ['v28.0.0', '# syntax=docker/dockerfile:1.7\n\nARG GO_VERSION=1.23.6', DAEMON_PROXY_BUNDLES],
  ].map(([tag, head, bundles]): Era => ({
    tag: `moby ${tag}`, kind: 'moby', era: 'moby-bake',
    files: moby({ 'vendor.mod': 'module github.com/docker/docker\n', 'docker-bake.hcl': MOBY_BAKE_HCL, Makefile: MAKEFILE_BAKE, 'hack/make.sh': MAKE_SH_BUNDLE_DIR, Dockerfile: dockerfileStages(head as string, 'FROM dev-base'), ...(bundles as Record<string, string>) }),
    targets: [...mobyTargets('bundles', 'dev'), host('make binary', ['make', 'binary'], ['bundles/binary'])],
  })),
  // docker-ce monorepo.
  { tag: 'docker-ce v18.03.1-ce', kind: 'docker-ce', era: 'docker-ce', files: dockerCe('18.03.1-ce', 'binary: build_binary_native_image\n\tdocker run --rm $(ENVVARS) $(MOUNTS) $(BINARY_NATIVE_IMAGE_NAME)\n'), targets: DOCKER_CE_TARGETS },
  { tag: 'docker-ce v18.09.9', kind: 'docker-ce', era: 'docker-ce', files: dockerCe('18.09.9', 'binary: build_binary_native_image ## build the CLI\n\tdocker run --rm $(ENVVARS) $(MOUNTS) $(BINARY_NATIVE_IMAGE_NAME)\n'), targets: DOCKER_CE_TARGETS },
  { tag: 'docker-ce v19.03.15', kind: 'docker-ce', era: 'docker-ce', files: dockerCe('19.03.15', CLI_DOCKER_MAKEFILE_RUN), targets: DOCKER_CE_TARGETS },
  // docker/cli: docker.Makefile runs its own build container (18.09–20.10; 20.10 already has docker-bake.hcl)...
  { tag: 'docker/cli v18.09.9', kind: 'docker-cli', era: 'cli-makefile', files: cli({ VERSION: '18.09.0-dev\n', 'vendor.conf': '', 'docker.Makefile': 'binary: build_binary_native_image ## build the CLI\n\tdocker run --rm $(ENVVARS) $(MOUNTS) $(BINARY_NATIVE_IMAGE_NAME)\n', 'dockerfiles/Dockerfile.binary-native': 'FROM    golang:1.11.13-alpine\n...\nCMD     ./scripts/build/binary\n' }), targets: [host('binary', ['make', '-f', 'docker.Makefile', 'binary'], ['build'], true)] },
  { tag: 'docker/cli v19.03.15', kind: 'docker-cli', era: 'cli-makefile', files: cli({ VERSION: '19.03.0-dev\n', 'vendor.conf': '', 'docker.Makefile': CLI_DOCKER_MAKEFILE_RUN, 'dockerfiles/Dockerfile.binary-native': 'ARG GO_VERSION=1.13.15\n\nFROM    golang:${GO_VERSION}-alpine\n...\nCMD     ./scripts/build/binary\n' }), targets: [host('binary', ['make', '-f', 'docker.Makefile', 'binary'], ['build'], true)] },
  { tag: 'docker/cli v20.10.24', kind: 'docker-cli', era: 'cli-makefile', files: cli({ VERSION: '20.10.0-dev\n', 'vendor.conf': '', 'docker.Makefile': CLI_DOCKER_MAKEFILE_RUN, 'docker-bake.hcl': CLI_BAKE_HCL, Dockerfile: '# syntax=docker/dockerfile:1\n...\nFROM --platform=$BUILDPLATFORM tonistiigi/xx:${XX_VERSION} AS xx\n' }), targets: [host('binary', ['make', '-f', 'docker.Makefile', 'binary'], ['build'], true)] },
  // ...and from 23.0 its `binary` rule is `docker buildx bake binary`.
  { tag: 'docker/cli v23.0.0', kind: 'docker-cli', era: 'cli-bake', files: cli({ VERSION: '23.0.0-dev\n', 'vendor.mod': 'module github.com/docker/cli\n', 'docker.Makefile': CLI_DOCKER_MAKEFILE_BAKE, 'docker-bake.hcl': CLI_BAKE_HCL, Dockerfile: '# syntax=docker/dockerfile:1\n...\nFROM --platform=$BUILDPLATFORM tonistiigi/xx:${XX_VERSION} AS xx\n' }), targets: [host('binary', ['docker', 'buildx', 'bake', 'binary'], ['build'], true)] },
  { tag: 'docker/cli v27.0.1', kind: 'docker-cli', era: 'cli-bake', files: cli({ VERSION: '27.0.1-dev\n', 'vendor.mod': 'module github.com/docker/cli\n', 'docker.Makefile': CLI_DOCKER_MAKEFILE_BAKE, 'docker-bake.hcl': CLI_BAKE_HCL, Dockerfile: '# syntax=docker/dockerfile:1\n...\nFROM --platform=$BUILDPLATFORM tonistiigi/xx:${XX_VERSION} AS xx\n' }), targets: [host('binary', ['docker', 'buildx', 'bake', 'binary'], ['build'], true)] },
];

function writeTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-era-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('build eras (one tree per era the README claims, lines copied from the upstream tags)', () => {
  const made: string[] = [];
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  for (const e of ERAS) {
    it(`${e.tag}: ${e.kind}, ${e.era}, ${e.targets.map((t) => t.id).join(' / ')}`, async () => {
      const root = writeTree(e.files);
      made.push(root);
      const repo = await detectRepository(root);
      assert.ok(repo, 'detected');
      assert.strictEqual(repo.kind, e.kind);
      assert.strictEqual(await detectEra(repo), e.era);
      const targets = await listTargets(repo);
      const actual = targets.map((t) => ({
        id: t.id,
        executor: t.executor,
        command: [...t.command],
        isDefault: !!t.isDefault,
        artifacts: [...t.artifacts],
        ...(t.executor === 'container' ? { stage: (t as ContainerRecipe).image.kind === 'dockerfile' ? ((t as ContainerRecipe).image as { target?: string }).target : 'image' } : {}),
      }));
      assert.deepStrictEqual(actual, e.targets.map((t) => (t.executor === 'container' ? t : { id: t.id, executor: t.executor, command: t.command, isDefault: t.isDefault, artifacts: t.artifacts })));
      assert.strictEqual(targets.filter((t) => t.isDefault).length, 1, 'exactly one default target');
    });
  }

  it('names every era in words a user would use, not the internal id', () => {
    for (const [era, label] of Object.entries(ERA_LABELS)) {
      assert.ok(label !== era && label.includes(' '), `${era}: ${label}`);
    }
  });

  it('keeps a vendored component with docker-bake.hcl (buildkit, buildx) out of docker/cli', async () => {
    const root = writeTree({ 'vendor.mod': 'module github.com/moby/buildkit\n', 'docker-bake.hcl': 'target "binaries" {}\n', 'cmd/buildkitd/main.go': 'package main\n' });
    made.push(root);
    const repo = await detectRepository(root);
    assert.strictEqual(repo?.kind, 'component');
    assert.deepStrictEqual(await listTargets(repo), []);
  });
});
