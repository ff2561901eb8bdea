import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkArtifactPaths, collectArtifacts, isStaticNativeElf } from '../../src/core/build/artifacts';
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

describe('which artifacts can answer --version on this host', () => {
  /** A minimal 64-bit little-endian ELF header with the given program header types (1 PT_LOAD, 3 PT_INTERP). */
  function elf(machine: number, types: number[]): Buffer {
    const b = Buffer.alloc(64 + 56 * types.length);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2; // 64-bit
    b[5] = 1; // little-endian
    b.writeUInt16LE(2, 16); // ET_EXEC
    b.writeUInt16LE(machine, 18);
    b.writeBigUInt64LE(64n, 32); // e_phoff
    b.writeUInt16LE(56, 54); // e_phentsize
    b.writeUInt16LE(types.length, 56); // e_phnum
    types.forEach((t, i) => b.writeUInt32LE(t, 64 + i * 56));
    return b;
  }
  const native = ({ x64: 62, arm64: 183 } as Record<string, number>)[process.arch];

  it('a static binary of this architecture runs here; a dynamic one, a foreign one or a script does not', async function () {
    if (native === undefined) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-elf-'));
    try {
      const write = (name: string, data: Buffer | string) => (fs.writeFileSync(path.join(dir, name), data), path.join(dir, name));
      assert.strictEqual(await isStaticNativeElf(write('static', elf(native!, [6, 1, 1]))), true);
      assert.strictEqual(await isStaticNativeElf(write('dynamic', elf(native!, [6, 3, 1]))), false);
      assert.strictEqual(await isStaticNativeElf(write('foreign', elf(native === 62 ? 183 : 62, [1]))), false);
      assert.strictEqual(await isStaticNativeElf(write('script', '#!/bin/sh\necho hi\n')), false);
      assert.strictEqual(await isStaticNativeElf(write('truncated', elf(native!, [1]).subarray(0, 80))), false);
      // A real dynamically linked program of this machine.
      assert.strictEqual(await isStaticNativeElf('/bin/sh'), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
