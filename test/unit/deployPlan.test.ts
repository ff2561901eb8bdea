import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commitOfVersion, deployFilesFrom, sameCommit } from '../../src/core/deploy/deployFiles';
import { chooseDest, deployId, HostBasics, HostFiles, installCommand, parseHostFiles, parseProbe, planDeploy, PlanInput } from '../../src/core/deploy/deployPlan';
import { splitSystemctlCat } from '../../src/core/deploy/systemdUnit';

const DOCKERD = { name: 'dockerd', source: '/b/dockerd-dev', size: 10, sha256: 'a'.repeat(64), version: 'Docker version dev, build 5d6db84223' };
const PROXY = { name: 'docker-proxy', source: '/b/docker-proxy-dev', size: 5, sha256: 'b'.repeat(64) };
const basics = (over: Partial<HostBasics> = {}): HostBasics => ({ uid: 0, hasSystemctl: true, unitFiles: splitSystemctlCat('# /lib/systemd/system/docker.service\n[Service]\nExecStart=/usr/local/bin/dockerd -H fd://\n'), ...over });
const files = (over: Partial<HostFiles> = {}): HostFiles => ({ installed: new Map([['dockerd', 'f'.repeat(64)], ['docker-proxy', 'b'.repeat(64)]]), dropIns: [], backups: [], ...over });
const input = (over: Partial<PlanInput> = {}): PlanInput => ({ machine: 'm1', files: [DOCKERD, PROXY], options: {}, basics: basics(), hostFiles: files(), id: '20261123T000000Z-abcd', now: new Date(0), ...over });

describe('deploy plan (pure: what goes where, before anything changes)', function () {
  it('replace mode installs where the unit runs dockerd from; only changed files are uploaded', function () {
    const plan = planDeploy(input());
    assert.strictEqual(plan.dest, '/usr/local/bin');
    assert.deepStrictEqual(plan.files.map((f) => [f.remotePath, f.unchanged, f.existed]), [['/usr/local/bin/dockerd', false, true], ['/usr/local/bin/docker-proxy', true, true]]);
    assert.strictEqual(plan.expectCommit, '5d6db84223');
    assert.strictEqual(plan.sudo, false);
    assert.strictEqual(plan.backupDir, '/var/lib/dockerfork/backups/20261123T000000Z-abcd');
    const install = installCommand(plan);
    assert.match(install, /dockerd\.dfw-20261123T000000Z-abcd/);
    assert.doesNotMatch(install, /docker-proxy/, 'an unchanged file is neither backed up nor renamed');
  });

  it('the destination: --dest, else the unit, else dockerd on PATH, else /usr/bin; drop-in mode /opt/bin', function () {
    assert.strictEqual(chooseDest({ dest: '/x/y/' }, basics()), '/x/y');
    assert.strictEqual(chooseDest({}, basics({ unitFiles: [], dockerdOnPath: '/usr/sbin/dockerd' })), '/usr/sbin');
    assert.strictEqual(chooseDest({}, basics({ unitFiles: [] })), '/usr/bin');
    assert.strictEqual(chooseDest({ mode: 'dropin' }, basics()), '/opt/bin');
  });

  it('a user who is not root gets sudo -n on every command that changes the machine', function () {
    const plan = planDeploy(input({ basics: basics({ uid: 1000 }) }));
    assert.strictEqual(plan.sudo, true);
    assert.match(installCommand(plan), /^sudo -n sh -c /);
  });

  it('up to date only when every file is there and the daemon runs the commit built', function () {
    const same = files({ installed: new Map([['dockerd', DOCKERD.sha256], ['docker-proxy', PROXY.sha256]]) });
    assert.strictEqual(planDeploy(input({ hostFiles: same, running: { version: 'dev', commit: '5d6db84' } })).upToDate, true);
    assert.strictEqual(planDeploy(input({ hostFiles: same, running: { version: '20.10', commit: 'abcdef0' } })).upToDate, false, 'the files are there but another daemon runs: restart');
    assert.strictEqual(planDeploy(input({ hostFiles: same })).upToDate, false, 'no daemon answers');
    assert.strictEqual(planDeploy(input({ hostFiles: same, running: { version: 'dev', commit: '5d6db84' }, options: { force: true } })).upToDate, false);
  });

  it('refuses what it cannot do, before anything changes, naming the machine', function () {
    assert.throws(() => planDeploy(input({ basics: basics({ hasSystemctl: false }) })), /^Error: m1: systemctl was not found.*restart command/);
    assert.throws(() => planDeploy(input({ options: { mode: 'dropin' }, basics: basics({ unitFiles: [] }) })), /m1: systemctl knows no docker.service/);
    assert.throws(() => planDeploy(input({ options: { dest: 'relative/bin' } })), /m1: the destination must be an absolute path/);
    assert.doesNotThrow(() => planDeploy(input({ basics: basics({ hasSystemctl: false }), options: { restart: 'rc-service docker restart' } })));
  });

  it('keeps the newest backups: the oldest beyond keepBackups are pruned after success', function () {
    const ids = ['20260101T000000Z-0001', '20260102T000000Z-0002', '20260103T000000Z-0003'];
    assert.deepStrictEqual(planDeploy(input({ hostFiles: files({ backups: ids }), options: { keepBackups: 2 } })).pruneBackups, ids.slice(0, 2));
    assert.deepStrictEqual(planDeploy(input({ hostFiles: files({ backups: ids }) })).pruneBackups, []);
  });

  it('parses the probe answers; ids sort by time', function () {
    const s = parseProbe('@@uid\n0\n@@systemctl\n/usr/bin/systemctl\n@@unit\n# /a.service\n[Service]\n@@dockerd\n\n');
    assert.deepStrictEqual([...s.keys()], ['uid', 'systemctl', 'unit', 'dockerd']);
    const hf = parseHostFiles(`@@installed\n${'c'.repeat(64)}\n-\n@@dropins\n10-machine.conf\n@@backups\nnot-ours\n20261123T000000Z-abcd\n20260101T000000Z-0001\n`, ['dockerd', 'docker-proxy']);
    assert.deepStrictEqual([...hf.installed], [['dockerd', 'c'.repeat(64)], ['docker-proxy', undefined]]);
    assert.deepStrictEqual(hf.backups, ['20260101T000000Z-0001', '20261123T000000Z-abcd']);
    assert.match(deployId(new Date('2026-11-23T15:30:12.345Z'), 'beef'), /^20261123T153012Z-beef$/);
  });

  it('commits: from version lines, and abbreviations agree', function () {
    assert.strictEqual(commitOfVersion('Docker version 20.10.24+dfsg1, build 5d6db84'), '5d6db84');
    assert.strictEqual(commitOfVersion('Docker version dev, build 5d6db84223'), '5d6db84223');
    assert.strictEqual(commitOfVersion('containerd v1.6'), undefined);
    assert.ok(sameCommit('5d6db84', '5d6db84223'));
    assert.ok(!sameCommit('5d6db84', '5d6db85223'));
    assert.ok(!sameCommit('5d6', '5d6db84'), 'too short to tell');
  });
});

describe('what to deploy: bundles of each era and docker-ce static archives', function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-deployfiles-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exe = (p: string, content = '#!/bin/sh\necho hi\n') => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content, { mode: 0o755 });
  };

  it('moby 17.x: bundles/<VERSION>/binary-daemon with versioned files, links, and .md5/.sha256 beside them', async function () {
    const d = path.join(dir, 'bundles', '17.06.2-ce', 'binary-daemon');
    exe(path.join(d, 'dockerd-17.06.2-ce'));
    fs.symlinkSync('dockerd-17.06.2-ce', path.join(d, 'dockerd'));
    exe(path.join(d, 'docker-proxy'));
    exe(path.join(d, 'docker-containerd'));
    exe(path.join(d, 'docker-runc'));
    exe(path.join(d, 'docker-init'));
    fs.writeFileSync(path.join(d, 'dockerd-17.06.2-ce.md5'), 'x');
    fs.writeFileSync(path.join(d, 'dockerd-17.06.2-ce.sha256'), 'x');
    const set = await deployFilesFrom([path.join(dir, 'bundles')]);
    assert.deepStrictEqual(set.files.map((f) => f.name), ['docker-containerd', 'docker-init', 'docker-proxy', 'docker-runc', 'dockerd']);
    assert.strictEqual(set.files.find((f) => f.name === 'dockerd')!.source, fs.realpathSync(path.join(d, 'dockerd-17.06.2-ce')));
  });

  it('moby 20.10: dockerd-dev and its link, the dev image\'s copies beside them (containerd, runc, docker-init, docker-proxy, rootless scripts), .sha256/.md5 skipped', async function () {
    // As hack/make/.binary (ln -sf "$BINARY_FULLNAME" …; hash_files) and binary-daemon's copy_binaries at v20.10.24.
    const d = path.join(dir, 'bundles', 'binary-daemon');
    exe(path.join(d, 'dockerd-dev'));
    fs.symlinkSync('dockerd-dev', path.join(d, 'dockerd'));
    for (const f of ['dockerd-dev.sha256', 'dockerd-dev.md5']) fs.writeFileSync(path.join(d, f), 'x');
    for (const n of ['containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'ctr', 'runc', 'docker-init', 'docker-proxy', 'rootlesskit', 'dockerd-rootless.sh']) exe(path.join(d, n));
    const set = await deployFilesFrom([path.join(dir, 'bundles')]);
    const names = set.files.map((f) => f.name);
    assert.ok(names.includes('dockerd') && !names.includes('dockerd-dev'), names.join());
    assert.ok(['containerd', 'runc', 'docker-init', 'docker-proxy', 'ctr'].every((n) => names.includes(n)), names.join());
    assert.ok(!names.some((n) => /\.(sha256|md5)$/.test(n)));
  });

  it('moby 23.0 and later: bundles/binary-daemon/dockerd with no link, and docker-proxy in its own bundles/binary-proxy', async function () {
    // hack/make/binary-proxy (BINARY_NAME='docker-proxy') is a bundle of its own from v23.0.0.
    exe(path.join(dir, 'bundles', 'binary-daemon', 'dockerd'));
    exe(path.join(dir, 'bundles', 'binary-daemon', 'docker-init'));
    exe(path.join(dir, 'bundles', 'binary-proxy', 'docker-proxy'));
    const set = await deployFilesFrom([path.join(dir, 'bundles')]);
    assert.deepStrictEqual(set.files.map((f) => f.name), ['docker-init', 'docker-proxy', 'dockerd']);
  });

  it("docker-ce's static .tgz: docker/{docker,dockerd,containerd,runc,…} as they are named", async function () {
    const stage = path.join(dir, 'stage', 'docker');
    for (const n of ['docker', 'dockerd', 'containerd', 'containerd-shim-runc-v2', 'ctr', 'runc', 'docker-init', 'docker-proxy']) exe(path.join(stage, n));
    const tgz = path.join(dir, 'docker-20.10.24.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', path.join(dir, 'stage'), 'docker']);
    const set = await deployFilesFrom([tgz]);
    try {
      assert.deepStrictEqual(set.files.map((f) => f.name), ['containerd', 'containerd-shim-runc-v2', 'ctr', 'docker', 'docker-init', 'docker-proxy', 'dockerd', 'runc']);
      assert.ok(set.files.every((f) => f.size > 0 && /^[0-9a-f]{64}$/.test(f.sha256)));
    } finally {
      await set.dispose();
    }
    assert.ok(!fs.existsSync(set.files[0].source), 'the unpacked archive is removed by dispose');
  });

  it('says what is wrong with a source, naming it', async function () {
    await assert.rejects(deployFilesFrom([path.join(dir, 'nope')]), /nope: no such file or folder to deploy from/);
    fs.mkdirSync(path.join(dir, 'empty'));
    await assert.rejects(deployFilesFrom([path.join(dir, 'empty')]), /empty: no binaries found/);
    fs.writeFileSync(path.join(dir, 'bad.tgz'), 'not gzip');
    await assert.rejects(deployFilesFrom([path.join(dir, 'bad.tgz')]), /bad\.tgz: cannot unpack/);
  });
});
