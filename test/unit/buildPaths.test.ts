import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkArtifactPaths, collectArtifacts } from '../../src/core/build/artifacts';
import { cacheVolumeName } from '../../src/core/build/cacheVolumes';
import { LABEL_BUILD, LABEL_OWNER } from '../../src/core/build/executor';
import { isLeftover, OWNER, trackRun } from '../../src/core/build/leftovers';
import { listSourceFiles } from '../../src/core/build/sourceCopy';

describe('build paths: artifacts, the remote source copy, cache names, leftovers', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-paths-'));
    for (const f of ['.git/HEAD', 'docs/a.md', 'bundles/binary-daemon/dockerd', 'bundles/other/keep', 'bundles-extra/x']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), f);
    }
    fs.writeFileSync(path.join(root, '.dockerignore'), 'docs\n.git\nbundles\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses artifact paths outside the repository, naming the value and the target', () => {
    for (const bad of ['../x', '/usr/bin', 'bundles/../../x', '.']) {
      assert.throws(() => checkArtifactPaths(root, 'binary', [bad]), (e: Error) => e.message.includes(`Artifact path '${bad}' of target 'binary' is outside the repository ${root}`));
    }
    checkArtifactPaths(root, 'binary', ['bundles/binary-daemon', './build', 'a/../b']);
  });

  it('does not follow a symbolic link out of the repository when collecting artifacts', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-outside-'));
    fs.writeFileSync(path.join(outside, 'secret'), 'not an artifact');
    fs.symlinkSync(outside, path.join(root, 'linked'));
    try {
      assert.deepStrictEqual(await collectArtifacts(root, ['linked']), []);
      assert.deepStrictEqual((await collectArtifacts(root, ['bundles/binary-daemon'])).map((a) => a.relativePath), ['bundles/binary-daemon/dockerd']);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('copies what a bind mount shows: .dockerignore is not applied, only the exact artifact paths stay behind', async () => {
    const files = (await listSourceFiles(root, ['bundles/binary-daemon'])).map((f) => f.rel);
    assert.deepStrictEqual(files, ['.dockerignore', '.git/HEAD', 'bundles-extra/x', 'bundles/other/keep', 'docs/a.md']);
    assert.deepStrictEqual((await listSourceFiles(root, ['./bundles/binary-daemon/'])).map((f) => f.rel), files);
  });

  it('names cache volumes per repository, builder image and cache', () => {
    const a = cacheVolumeName('/src/moby', 'docker-dev:moby', 'go-build');
    assert.match(a, /^dockerfork-go-build-[0-9a-f]{12}$/);
    assert.notStrictEqual(a, cacheVolumeName('/src/moby2', 'docker-dev:moby', 'go-build'));
    assert.notStrictEqual(a, cacheVolumeName('/src/moby', 'docker-dev:other', 'go-build'));
    assert.strictEqual(a, cacheVolumeName('/src/moby', 'docker-dev:moby', 'go-build'));
  });

  it('treats a container as left over only when its owner is gone', () => {
    const host = os.hostname();
    assert.strictEqual(isLeftover({ [LABEL_OWNER]: `${host}:${process.ppid}`, [LABEL_BUILD]: 'r' }, 'running'), false, 'a live process elsewhere');
    assert.strictEqual(isLeftover({ [LABEL_OWNER]: `other-host:1`, [LABEL_BUILD]: 'r' }, 'exited'), false, 'another host cannot be checked');
    assert.strictEqual(isLeftover({ [LABEL_OWNER]: `${host}:2147483646`, [LABEL_BUILD]: 'r' }, 'running'), true, 'a process that is gone');
    assert.strictEqual(isLeftover({ [LABEL_BUILD]: 'r' }, 'exited'), true, 'unowned and stopped');
    assert.strictEqual(isLeftover({ [LABEL_BUILD]: 'r' }, 'running'), false, 'unowned but running');
    const untrack = trackRun('mine');
    assert.strictEqual(isLeftover({ [LABEL_OWNER]: OWNER, [LABEL_BUILD]: 'mine' }, 'running'), false, 'a run of this process in progress');
    untrack();
    assert.strictEqual(isLeftover({ [LABEL_OWNER]: OWNER, [LABEL_BUILD]: 'mine' }, 'running'), true, 'a finished run of this process');
  });
});
