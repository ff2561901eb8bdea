import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { describeVendorChange, vendorChanges } from '../../src/core/vendor/vendorDiff';

/** moby's hack/vendor.sh in the vndr era (17.06–20.10), as upstream has it: a wrapper around vndr. */
const VENDOR_SH_VNDR =
  '#!/usr/bin/env bash\n\n# This file is just wrapper around vndr (github.com/LK4D4/vndr) tool.\n# For updating dependencies you should change `vendor.conf` file in root of the\n# project. Please refer to https://github.com/LK4D4/vndr/blob/master/README.md for\n# vndr usage.\n\nset -e\n\nif ! hash vndr; then\n\techo "Please install vndr with \\"go get github.com/LK4D4/vndr\\" and put it in your \\$GOPATH"\n\texit 1\nfi\n\nvndr "$@"\n';
/** moby's hack/vendor.sh with modules (23.0 on), abridged where "...": tidy and go mod vendor against vendor.mod. */
const VENDOR_SH_MOD =
  "#!/usr/bin/env bash\n#\n# This file is just a wrapper around the 'go mod vendor' tool.\n# For updating dependencies you should change `vendor.mod` file in root of the\n# project.\n\nset -e\n\nSCRIPTDIR=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n\ntidy() (\n\t\tset -x\n\t\t\"${SCRIPTDIR}\"/with-go-mod.sh go mod tidy -modfile vendor.mod -compat 1.18\n)\n\nvendor() (\n\t\tset -x\n\t\t\"${SCRIPTDIR}\"/with-go-mod.sh go mod vendor -modfile vendor.mod\n)\n...\ncase \"$1\" in\n\ttidy) tidy ;;\n\tvendor) vendor ;;\n\t\"\"|all) tidy && vendor ;;\n\t*) help ;;\nesac\n";

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-vendor-target-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const MOBY = {
  'cmd/dockerd/docker.go': 'package main\n',
  'hack/make.sh': 'VERSION=${VERSION:-dev}\n\t\texport DEST="bundles/$(basename "$bundle")"\n',
  Makefile: 'binary: build ## build the linux binaries\n\t$(DOCKER_RUN_DOCKER) hack/make.sh binary\n',
  Dockerfile: 'FROM golang:1.13 AS base\n...\nFROM base AS dev\n',
};

describe('re-vendoring as a build target, and what it changed under vendor/', () => {
  const made: string[] = [];
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  for (const [era, files, how] of [
    ['vndr (vendor.conf)', { 'vendor.conf': 'github.com/a/b v1\n', 'hack/vendor.sh': VENDOR_SH_VNDR }, /vndr, from vendor\.conf/],
    ['modules (vendor.mod)', { 'vendor.mod': 'module github.com/docker/docker\n', 'hack/vendor.sh': VENDOR_SH_MOD }, /go mod vendor, from vendor\.mod/],
  ] as const) {
    it(`offers hack/vendor.sh in the dev container for the ${era} era`, async () => {
      const root = tree({ ...MOBY, ...files });
      made.push(root);
      const repo = (await detectRepository(root))!;
      const vendor = (await listTargets(repo)).find((t) => t.id === 'vendor') as ContainerRecipe | undefined;
      assert.ok(vendor, 'a vendor target');
      assert.strictEqual(vendor.executor, 'container');
      assert.deepStrictEqual([...vendor.command], ['hack/vendor.sh']);
      assert.strictEqual(vendor.image.kind === 'dockerfile' && vendor.image.target, 'dev');
      assert.strictEqual(vendor.privileged, false);
      assert.ok(!vendor.isDefault);
      assert.match(vendor.description, how);
    });
  }

  it('offers no vendor target where the tree has no hack/vendor.sh', async () => {
    const root = tree({ ...MOBY, 'vendor.conf': 'github.com/a/b v1\n' });
    made.push(root);
    assert.ok(!(await listTargets((await detectRepository(root))!)).some((t) => t.id === 'vendor'));
  });

  it('lists the files a re-vendor changed, added and removed under vendor/<module>/ only', async () => {
    const root = tree({ 'vendor/github.com/a/b/x.go': 'package b\n\nvar X = 1\n', 'vendor/github.com/a/b/gone.go': 'package b\n', 'vendor/github.com/c/d/y.go': 'package d\n' });
    made.push(root);
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'vendor');
    assert.deepStrictEqual(await vendorChanges(root, 'github.com/a/b'), []);
    fs.writeFileSync(path.join(root, 'vendor/github.com/a/b/x.go'), 'package b\n\nvar X = 2\nvar Y = 3\n');
    fs.rmSync(path.join(root, 'vendor/github.com/a/b/gone.go'));
    fs.writeFileSync(path.join(root, 'vendor/github.com/a/b/new.go'), 'package b\n');
    fs.writeFileSync(path.join(root, 'vendor/github.com/c/d/y.go'), 'package d // other module\n');
    const changes = await vendorChanges(root, 'github.com/a/b');
    assert.deepStrictEqual(changes.map((c) => [c.file, describeVendorChange(c)]), [
      ['vendor/github.com/a/b/gone.go', 'deleted +0 -1'],
      ['vendor/github.com/a/b/new.go', 'added'],
      ['vendor/github.com/a/b/x.go', 'modified +2 -1'],
    ]);
  });
});
