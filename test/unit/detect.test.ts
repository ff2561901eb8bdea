import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { detectRepository, findRepositories } from '../../src/core/repo/detect';
import { FIXTURES } from './paths';

function tree(files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-unit-'));
  for (const f of files) {
    const p = path.join(root, f);
    if (f.endsWith('/')) fs.mkdirSync(p, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, '');
    }
  }
  return root;
}

describe('repository detection', () => {
  const made: string[] = [];
  const make = (files: string[]) => {
    const t = tree(files);
    made.push(t);
    return t;
  };
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('recognises the moby fixture by hack/make.sh and vendor.conf', async () => {
    const repo = await detectRepository(path.join(FIXTURES, 'moby-fork'));
    assert.ok(repo);
    assert.strictEqual(repo.kind, 'moby');
    assert.deepStrictEqual(repo.markers, ['hack/make.sh', 'vendor.conf']);
    assert.strictEqual(repo.name, 'moby-fork');
  });

  it('tells docker-ce, docker/cli, Go-module moby and a vendored component apart', async () => {
    const cases: Array<[string[], string]> = [
      [['components/engine/hack/make.sh', 'components/cli/docker.Makefile', 'components/packaging/'], 'docker-ce'],
      [['docker.Makefile', 'vendor.conf', 'cmd/docker/docker.go'], 'docker-cli'],
      [['docker-bake.hcl', 'vendor.mod', 'cmd/docker/docker.go'], 'docker-cli'],
      [['vendor.mod', 'docker-bake.hcl', 'hack/make.sh', 'cmd/dockerd/'], 'moby'],
      // docker/docker before the 17.06 split: the client's cmd/docker next to hack/make.sh is still moby.
      [['hack/make.sh', 'cmd/docker/docker.go', 'cmd/dockerd/'], 'moby'],
      [['hack/make.sh', 'vendor.conf', 'cmd/docker/docker.go', 'cmd/dockerd/'], 'moby'],
      [['docker.Makefile', 'docker-bake.hcl', 'vendor.mod', 'cmd/docker/docker.go'], 'docker-cli'],
      [['vendor.mod', 'docker-bake.hcl', 'cmd/buildkitd/'], 'component'],
      [['vendor.conf', 'cmd/swarmd/'], 'component'],
    ];
    for (const [files, kind] of cases) {
      const repo = await detectRepository(make(files));
      assert.strictEqual(repo?.kind, kind, files.join(', '));
    }
  });

  it('finds nothing in a folder without markers, and an unreadable path is just not a repository', async () => {
    assert.strictEqual(await detectRepository(make(['README.md', 'src/main.go'])), undefined);
    assert.deepStrictEqual(await findRepositories('/nonexistent/dfw/path', 2), []);
  });

  it('finds side-by-side checkouts one level down, but not inside vendor/ or below the depth', async () => {
    const root = make(['moby/hack/make.sh', 'cli/docker.Makefile', 'vendor/github.com/x/vendor.conf', 'deep/er/still/vendor.mod', '.hidden/vendor.conf']);
    const names = (await findRepositories(root, 1)).map((r) => r.name).sort();
    assert.deepStrictEqual(names, ['cli', 'moby']);
    assert.deepStrictEqual((await findRepositories(root, 0)).length, 0);
    assert.deepStrictEqual((await findRepositories(root, 3)).map((r) => r.name).sort(), ['cli', 'moby', 'still']);
  });

  it('does not search inside a repository it found (docker-ce components belong to docker-ce)', async () => {
    const root = make(['docker-ce/components/engine/hack/make.sh', 'docker-ce/components/cli/docker.Makefile']);
    const found = await findRepositories(root, 3);
    assert.deepStrictEqual(found.map((r) => [r.name, r.kind]), [['docker-ce', 'docker-ce']]);
  });
});
