import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { deployFilesFrom, DeployFileSet } from '../../src/core/deploy/deployFiles';
import { DeployRecords } from '../../src/core/deploy/deployRecords';
import { DeployContext, deployToMachine, deployToMachines, DeployStep, rollbackMachine } from '../../src/core/deploy/deployRunner';
import type { Machine } from '../../src/core/machines/machine';
import { PinnedHostKeys } from '../../src/core/ssh/hostKeys';
import { DeployTarget, startDeployTarget } from '../services/deployTarget';
import { findBinary } from '../services/preflight';
import { makeRigDir, removeRigDir } from '../services/tempRoot';
import { execFileSync } from 'child_process';
import { runCli } from './cliHelpers';
import { currentRig } from './rigHooks';
import { machineStatus } from '../../src/core/deploy/machineStatus';
import { v3Config } from '../unit/machineStoreFixtures';

const DEBIAN_DOCKERD = findBinary('dockerd')!;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file below `dir` with its sha256 (symlinks as their target text): "the host as it was". */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[path.relative(dir, p)] = `-> ${fs.readlinkSync(p)}`;
      else out[path.relative(dir, p)] = `${sha256(p)} ${(fs.statSync(p).mode & 0o777).toString(8)}`;
    }
  };
  walk(dir);
  return out;
}

/** The children of a process, read from /proc (no procps needed). */
function childPids(parent: number): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    } catch {
      return false;
    }
  }).map(Number);
}

/** The sha256 of the program a pid runs (what really runs, not what the file says now). */
function runningSha(pid: number): string {
  return sha256(`/proc/${pid}/exe`);
}

describe('deploy to SSH machines (real sshd, real dockerd on the target)', function () {
  this.timeout(240_000);
  let root: string;
  let targets: DeployTarget[] = [];
  let artifacts: string;
  let fileSet: DeployFileSet;
  let originalSha: string;

  const machineFor = (t: DeployTarget, name = t.name): Machine => ({
    name,
    source: 'docker-machine',
    driver: 'generic',
    ssh: { host: '127.0.0.1', port: t.ssh.port, user: t.ssh.user, identityFile: t.ssh.identityFile, hostKeys: 'pinned' },
    daemonHost: t.daemonHost,
    origin: 'test',
  });

  function context(extra: Partial<DeployContext> = {}): DeployContext & { steps: string[]; pinned: string[] } {
    const steps: string[] = [];
    const pinned: string[] = [];
    return {
      pinnedHostKeys: new PinnedHostKeys(path.join(root, 'state', 'known_hosts')),
      confirmHostKey: async (r) => (pinned.push(`${r.machine} ${r.keys.map((k) => k.fingerprint).join(',')}`), true),
      records: new DeployRecords(path.join(root, 'state', 'deploys.json')),
      listener: { step: (m, s: DeployStep, state, detail) => steps.push(`${m} ${s} ${state}${detail ? `: ${detail}` : ''}`) },
      steps,
      pinned,
      ...extra,
    };
  }

  const optionsFor = (t: DeployTarget) => ({ dest: t.binDir, restart: t.restartCommand, daemonHost: t.daemonHost, remoteStateDir: t.stateDir, verifyTimeoutSec: 20 });

  before(async function () {
    root = makeRigDir('deploy');
    targets = await Promise.all([
      ...['alpha', 'beta', 'gamma'].map((n) => startDeployTarget(root, n)),
      // Quoting: a destination with spaces, quotes, $(), a backquote and a newline.
      // A host with read-only /usr as CoreOS has: drop-in mode, systemd through a test stand-in.
      startDeployTarget(root, 'epsilon', { binDir: path.join(root, 'epsilon', 'host', 'usr', 'bin'), systemdStandIn: true }),
      startDeployTarget(root, 'delta', { binDir: path.join(root, 'delta', `bin dir 'q' "dq" $(touch ${root}/pwned) \`touch ${root}/pwned2\`\nnext line`) }),
    ]);
    // Each target runs Debian's dockerd from its bin/ before any deploy.
    for (const t of targets) {
      fs.copyFileSync(DEBIAN_DOCKERD, path.join(t.binDir, 'dockerd'));
      fs.chmodSync(path.join(t.binDir, 'dockerd'), 0o755);
    }
    await Promise.all(targets.map((t) => t.startDaemon()));
    originalSha = sha256(DEBIAN_DOCKERD);
    // The artifact: Debian's dockerd with bytes appended (still runs, same
    // commit, another sha256), in moby's bundle layout: dockerd-dev and a
    // dockerd link to it.
    artifacts = path.join(root, 'bundles', 'binary-daemon');
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'dockerd-dev'), Buffer.concat([fs.readFileSync(DEBIAN_DOCKERD), Buffer.from('\0dfw-test-build\n')]), { mode: 0o755 });
    fs.symlinkSync('dockerd-dev', path.join(artifacts, 'dockerd'));
    fs.writeFileSync(path.join(artifacts, 'dockerd-dev.sha256'), 'not a binary\n');
    fileSet = await deployFilesFrom([path.join(root, 'bundles')]);
  });

  after(async function () {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await fileSet?.dispose();
    if (root) removeRigDir(root);
  });

  it('takes moby\'s bundle as dockerd (the link\'s name), with the version line and sha256 of dockerd-dev', function () {
    assert.deepStrictEqual(fileSet.files.map((f) => f.name), ['dockerd']);
    const [f] = fileSet.files;
    assert.strictEqual(f.sha256, sha256(path.join(artifacts, 'dockerd-dev')));
    assert.match(f.version ?? '', /build 5d6db84/);
  });

  it('deploys, restarts and verifies: the daemon runs the new binary, and a second deploy is up to date', async function () {
    const [t] = targets;
    const before = t.daemonPid()!;
    assert.strictEqual(runningSha(before), originalSha);
    const ctx = context();
    const r = await deployToMachine(machineFor(t), fileSet, optionsFor(t), ctx);
    assert.ok(r.ok, `${r.error}\n${ctx.steps.join('\n')}`);
    assert.match(ctx.pinned.join(), /^alpha SHA256:/, 'the host key was shown and pinned on first use');
    assert.deepStrictEqual(ctx.steps.filter((s) => / done/.test(s)).map((s) => s.split(' ')[1]), ['connect', 'probe', 'plan', 'upload', 'install', 'restart', 'verify']);
    const after = t.daemonPid()!;
    assert.notStrictEqual(after, before, 'the daemon was restarted');
    assert.strictEqual(runningSha(after), fileSet.files[0].sha256, 'the running daemon is the deployed binary');
    assert.strictEqual(r.daemon?.commit, '5d6db84');
    // The previous binary is kept as a timestamped backup.
    const backups = fs.readdirSync(path.join(t.stateDir, 'backups'));
    assert.strictEqual(backups.length, 1);
    assert.strictEqual(sha256(path.join(t.stateDir, 'backups', backups[0], 'files', 'dockerd')), originalSha);
    assert.deepStrictEqual(fs.readdirSync(t.binDir), ['dockerd'], 'no temp file left beside it');
    const record = await ctx.records.get('alpha');
    assert.strictEqual(record?.dest, t.binDir);
    assert.strictEqual(record?.restart, t.restartCommand);

    const again = context();
    const r2 = await deployToMachine(machineFor(t), fileSet, optionsFor(t), again);
    assert.ok(r2.ok && r2.upToDate, r2.error);
    assert.strictEqual(r2.bytesSent, 0);
    assert.strictEqual(t.daemonPid(), after, 'an up-to-date machine is not restarted');
    assert.deepStrictEqual(again.pinned, [], 'the pinned key is used, not asked again');
  });

  it('rollback puts the host back exactly as before the deploy, and the old daemon runs again', async function () {
    const [, t] = targets;
    const hostBefore = tree(t.binDir);
    const ctx = context();
    const r = await deployToMachine(machineFor(t), fileSet, optionsFor(t), ctx);
    assert.ok(r.ok, r.error);
    assert.notDeepStrictEqual(tree(t.binDir), hostBefore);
    const rb = await rollbackMachine(machineFor(t), context(), t.stateDir);
    assert.ok(rb.ok, rb.error);
    assert.deepStrictEqual(tree(t.binDir), hostBefore);
    assert.strictEqual(runningSha(t.daemonPid()!), originalSha);
    assert.deepStrictEqual(fs.readdirSync(path.join(t.stateDir, 'backups')), [], 'the backup it restored is gone');
    assert.strictEqual((await context().records.get('beta'))?.state, 'rolled-back');
  });

  /** A dockerd stand-in script for faults: `--version` answers as given, anything else as `body` says. */
  function scriptArtifact(dir: string, version: string, body: string): Promise<DeployFileSet> {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'dockerd'), `#!/bin/sh\nif [ "$1" = --version ]; then echo '${version}'; exit 0; fi\n${body}\n`, { mode: 0o755 });
    return deployFilesFrom([path.join(dir, 'dockerd')]);
  }

  it('a daemon that comes back with another commit is rolled back automatically, and the message says so', async function () {
    const [, , t] = targets;
    const hostBefore = tree(t.binDir);
    const pidBefore = t.daemonPid()!;
    const wrong = await scriptArtifact(path.join(root, 'wrong-commit'), 'Docker version 99.0.0-fork, build deadbeef12', `exec ${DEBIAN_DOCKERD} "$@"`);
    const ctx = context();
    const r = await deployToMachine(machineFor(t), wrong, optionsFor(t), ctx);
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'verify');
    assert.strictEqual(r.rolledBack, true, r.error);
    assert.match(r.error!, /commit 5d6db84 .*not deadbeef12/);
    assert.match(r.error!, /Rolled back/);
    assert.deepStrictEqual(tree(t.binDir), hostBefore);
    assert.notStrictEqual(t.daemonPid(), pidBefore);
    assert.strictEqual(runningSha(t.daemonPid()!), originalSha, 'the old dockerd runs again');
    assert.ok(ctx.steps.some((s) => /rollback done/.test(s)), ctx.steps.join('\n'));
  });

  it('a daemon that fails to start is rolled back automatically', async function () {
    const [, , t] = targets;
    const hostBefore = tree(t.binDir);
    const broken = await scriptArtifact(path.join(root, 'broken'), 'Docker version 99.0.0-fork, build 0123456789', 'echo "failed to start daemon: test build that never starts" >&2; exit 1');
    const r = await deployToMachine(machineFor(t), broken, { ...optionsFor(t), verifyTimeoutSec: 6 }, context());
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'verify');
    assert.strictEqual(r.rolledBack, true, r.error);
    assert.match(r.error!, /did not answer .* within 6 s/);
    assert.deepStrictEqual(tree(t.binDir), hostBefore);
    assert.strictEqual(runningSha(t.daemonPid()!), originalSha);
  });

  it('a connection cut mid-upload leaves the old binary and the running daemon as they were; the next deploy clears the temp file', async function () {
    const [, , t] = targets;
    const hostBefore = tree(t.binDir);
    const pidBefore = t.daemonPid()!;
    let cut = false;
    const ctx = context({
      listener: {
        bytes: (_m, _f, sent) => {
          if (cut || sent < 4 * 1024 * 1024) return;
          cut = true;
          // Kill sshd's processes for this connection (the children of the listening sshd).
          for (const pid of childPids(t.ssh.daemon.pid)) process.kill(pid, 'SIGKILL');
        },
      },
    });
    const r = await deployToMachine(machineFor(t), fileSet, optionsFor(t), ctx);
    assert.ok(cut, 'the upload reached 4 MiB');
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'upload');
    assert.match(r.error!, /^gamma: upload failed: .*connection/s);
    assert.strictEqual(sha256(path.join(t.binDir, 'dockerd')), hostBefore.dockerd.split(' ')[0], 'the old binary is intact');
    assert.strictEqual(t.daemonPid(), pidBefore, 'the daemon was not touched');
    const r2 = await deployToMachine(machineFor(t), fileSet, optionsFor(t), context());
    assert.ok(r2.ok, r2.error);
    assert.deepStrictEqual(fs.readdirSync(t.binDir), ['dockerd'], 'the temp file of the cut upload is gone');
    assert.ok((await rollbackMachine(machineFor(t), context(), t.stateDir)).ok);
  });

  it('cancel during the upload stops it, removes the temp file and leaves the machine as it was', async function () {
    const [, , t] = targets;
    const hostBefore = tree(t.binDir);
    const pidBefore = t.daemonPid()!;
    const abort = new AbortController();
    const r = await deployToMachine(machineFor(t), fileSet, optionsFor(t), context({ signal: abort.signal, listener: { bytes: (_m, _f, sent) => sent > 4 * 1024 * 1024 && abort.abort() } }));
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'upload');
    assert.match(r.error!, /cancelled/);
    assert.deepStrictEqual(tree(t.binDir), hostBefore, 'no temp file, the old binary intact');
    assert.strictEqual(t.daemonPid(), pidBefore);
  });

  it('refuses a host whose key changed since it was pinned, naming the machine, and changes nothing', async function () {
    const [t] = targets;
    const keys = path.join(root, 'changed', 'known_hosts');
    fs.mkdirSync(path.dirname(keys), { recursive: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(root, 'changed', 'other')]);
    const other = fs.readFileSync(path.join(root, 'changed', 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(keys, `[127.0.0.1]:${t.ssh.port} ${other}\n`);
    const hostBefore = tree(t.binDir);
    const ctx = context({ pinnedHostKeys: new PinnedHostKeys(keys) });
    const r = await deployToMachine(machineFor(t), fileSet, { ...optionsFor(t), force: true }, ctx);
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'connect');
    assert.match(r.error!, /^alpha: connect failed: .*(REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed)/s);
    assert.match(r.error!, /differs from the one on record/);
    assert.deepStrictEqual(ctx.pinned, [], 'a changed key is never offered for pinning');
    assert.deepStrictEqual(tree(t.binDir), hostBefore);
  });

  it('deploys to several machines at once: one unreachable machine fails alone, the others succeed', async function () {
    const [a, b] = targets;
    const dead: Machine = { ...machineFor(a, 'dead'), ssh: { ...machineFor(a).ssh, port: 1 } };
    const ctx = context();
    const perMachine = await deployToMachines([machineFor(a), dead, machineFor(b)], fileSet, (m) => optionsFor(m.name === 'beta' ? b : a), ctx);
    assert.deepStrictEqual(perMachine.map((r) => [r.machine, r.ok]), [['alpha', true], ['dead', false], ['beta', true]]);
    assert.strictEqual(perMachine[1].failedStep, 'connect');
    assert.match(perMachine[1].error!, /^dead: /);
    assert.ok((await rollbackMachine(machineFor(b), context(), b.stateDir)).ok);
  });

  it('quotes every path for the remote shell: a destination with quotes, $(), backquotes and a newline works and runs nothing', async function () {
    const t = targets.find((x) => x.name === 'delta')!;
    const hostBefore = tree(t.binDir);
    const r = await deployToMachine(machineFor(t), fileSet, optionsFor(t), context());
    assert.ok(r.ok, r.error);
    assert.strictEqual(sha256(path.join(t.binDir, 'dockerd')), fileSet.files[0].sha256);
    assert.strictEqual(runningSha(t.daemonPid()!), fileSet.files[0].sha256);
    const rb = await rollbackMachine(machineFor(t), context(), t.stateDir);
    assert.ok(rb.ok, rb.error);
    assert.deepStrictEqual(tree(t.binDir), hostBefore);
    assert.ok(!fs.existsSync(path.join(root, 'pwned')) && !fs.existsSync(path.join(root, 'pwned2')), 'no command substitution ran');
  });

  it('drop-in mode: binaries in /opt/bin, a drop-in after docker-machine\'s 10-machine.conf keeping its TLS flags; rollback removes both', async function () {
    const t = targets.find((x) => x.name === 'epsilon')!;
    const host = t.root;
    const etcBefore = tree(path.join(host, 'etc'));
    const usrBefore = tree(path.join(host, 'usr'));
    const optBin = path.join(host, 'opt', 'bin');
    const dropInDir = path.join(host, 'etc/systemd/system/docker.service.d');
    const ctx = context();
    // No restart command: the systemd path (daemon-reload, restart with a timeout) through the stand-in.
    const r = await deployToMachine(machineFor(t), fileSet, { mode: 'dropin', dest: optBin, dropInDir, daemonHost: t.daemonHost, remoteStateDir: t.stateDir, verifyTimeoutSec: 20 }, ctx);
    assert.ok(r.ok, `${r.error}\n${ctx.steps.join('\n')}`);
    assert.deepStrictEqual(tree(path.join(host, 'usr')), usrBefore, '/usr is not written in drop-in mode');
    assert.strictEqual(sha256(path.join(optBin, 'dockerd')), fileSet.files[0].sha256);
    assert.deepStrictEqual(fs.readdirSync(dropInDir).sort(), ['10-machine.conf', '99-dockerfork.conf']);
    const dropIn = fs.readFileSync(path.join(dropInDir, '99-dockerfork.conf'), 'utf8');
    const execs = dropIn.split('\n').filter((l) => l.startsWith('ExecStart='));
    assert.deepStrictEqual(execs, [
      'ExecStart=',
      `ExecStart=${optBin}/dockerd -H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock --storage-driver overlay2 --tlsverify --tlscacert /etc/docker/ca.pem --tlscert /etc/docker/server.pem --tlskey /etc/docker/server-key.pem --label provider=generic`,
    ]);
    assert.match(dropIn, new RegExp(`^Environment="PATH=${optBin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm'));
    const calls = fs.readFileSync(path.join(host, 'systemctl.log'), 'utf8').split('\n').filter(Boolean);
    assert.deepStrictEqual(calls, ['cat docker.service', 'daemon-reload', 'restart docker.service']);
    assert.strictEqual(runningSha(t.daemonPid()!), fileSet.files[0].sha256, 'systemd (the stand-in) started the dockerd the drop-in names');

    const rb = await rollbackMachine(machineFor(t), context(), t.stateDir);
    assert.ok(rb.ok, rb.error);
    assert.deepStrictEqual(tree(path.join(host, 'etc')), etcBefore, 'the drop-in is gone, 10-machine.conf untouched');
    assert.deepStrictEqual(fs.readdirSync(optBin), [], 'what the deploy added is removed');
    assert.strictEqual(runningSha(t.daemonPid()!), originalSha, 'the unit\'s own dockerd runs again');
  });

  it('the CLI: machines, deploy, status and rollback of a machine in docker-machine\'s store, as a user runs them', async function () {
    const t = targets.find((x) => x.name === 'beta')!;
    const store = path.join(root, 'machine-store');
    const machineDir = path.join(store, 'machines', 'beta-dm');
    fs.mkdirSync(machineDir, { recursive: true });
    fs.copyFileSync(t.ssh.identityFile, path.join(machineDir, 'id_rsa'));
    fs.chmodSync(path.join(machineDir, 'id_rsa'), 0o600);
    fs.writeFileSync(path.join(machineDir, 'config.json'), v3Config('beta-dm', 'generic', { IPAddress: '127.0.0.1', SSHUser: t.ssh.user, SSHPort: t.ssh.port, SSHKeyPath: path.join(machineDir, 'id_rsa'), EnginePort: 2376 }, store));
    const stateDir = path.join(root, 'cli-state');
    const saved = process.env.DFW_STATE_DIR;
    process.env.DFW_STATE_DIR = stateDir;
    try {
      const s = ['--storage-path', store];
      const listed = await runCli(['machines', '--json', ...s], root);
      assert.strictEqual(listed.code, 0, listed.err);
      const m = JSON.parse(listed.out).machines.find((x: { name: string }) => x.name === 'beta-dm');
      assert.deepStrictEqual([m.host, m.port, m.user, m.identityFile, m.driver], ['127.0.0.1', t.ssh.port, t.ssh.user, path.join(machineDir, 'id_rsa'), 'generic']);

      const hostBefore = tree(t.binDir);
      const args = ['deploy', 'beta-dm', ...s, '--from', path.join(root, 'bundles'), '--dest', t.binDir, '--restart', t.restartCommand, '--daemon-host', t.daemonHost, '--remote-state-dir', t.stateDir, '--verify-timeout', '20'];
      const refused = await runCli(args, root);
      assert.strictEqual(refused.code, 1);
      assert.match(refused.err, /beta-dm: first connection to \[127\.0\.0\.1\]:\d+; its host key/);
      assert.match(refused.err, /ED25519 SHA256:\S+/);
      assert.match(refused.err, /run again with --accept-new-host-key/);
      assert.deepStrictEqual(tree(t.binDir), hostBefore, 'nothing changed without a pinned key');

      const deployed = await runCli([...args, '--accept-new-host-key'], root);
      assert.strictEqual(deployed.code, 0, deployed.err + deployed.out);
      assert.match(deployed.out, /beta-dm: plan \S+ \(replace\):\n {2}.*dockerd-dev → .*\/dockerd {2}71\.7 MiB {2}sha256:[0-9a-f]{12}\n/);
      assert.match(deployed.out, /beta-dm: verify done: the daemon answers: .*commit 5d6db84 — the one built/);
      assert.match(deployed.out, /Summary:\n {2}beta-dm: deployed, the daemon runs/);
      assert.strictEqual(runningSha(t.daemonPid()!), fileSet.files[0].sha256);

      const status = await runCli(['status', 'beta-dm', '--json', ...s], root);
      assert.strictEqual(status.code, 0, status.err);
      const st = JSON.parse(status.out);
      assert.strictEqual(st.reachable, true);
      assert.strictEqual(st.daemon.commit, '5d6db84');
      assert.strictEqual(st.lastDeploy.dest, t.binDir);
      assert.strictEqual(st.runsLastDeploy, true);
      assert.strictEqual(st.backups.length, 1);

      // rollback remembers what the deploy used: destination, restart command, daemon host, state dir.
      const rolled = await runCli(['rollback', 'beta-dm', ...s], root);
      assert.strictEqual(rolled.code, 0, rolled.err);
      assert.deepStrictEqual(tree(t.binDir), hostBefore);
      assert.strictEqual(runningSha(t.daemonPid()!), originalSha);

      const unknown = await runCli(['deploy', 'nope', ...s, '--from', path.join(root, 'bundles')], root);
      assert.strictEqual(unknown.code, 1);
      assert.match(unknown.err, /no machine named nope; known: .*beta-dm/);

      // A broken config.json: deploying to it names the file and what is wrong.
      fs.mkdirSync(path.join(store, 'machines', 'broken'));
      fs.writeFileSync(path.join(store, 'machines', 'broken', 'config.json'), '{"ConfigVersion": 3,\n "Driver": {');
      const broken = await runCli(['deploy', 'broken', ...s, '--from', path.join(root, 'bundles')], root);
      assert.strictEqual(broken.code, 1);
      assert.match(broken.err, /machine broken cannot be used: .*machines\/broken\/config\.json.*2:/);

      // Key material never reaches the output, only the key's path.
      const keyLines = fs.readFileSync(path.join(machineDir, 'id_rsa'), 'utf8').split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
      for (const r of [refused, deployed, status, rolled]) for (const l of keyLines) assert.ok(!r.out.includes(l) && !r.err.includes(l), 'a line of the private key was printed');
    } finally {
      if (saved === undefined) delete process.env.DFW_STATE_DIR;
      else process.env.DFW_STATE_DIR = saved;
    }
  });

  it('a refused login and a missing key file name the machine and the step, and change nothing', async function () {
    const [t] = targets;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(root, 'stranger')]);
    const refused = await deployToMachine({ ...machineFor(t), ssh: { ...machineFor(t).ssh, identityFile: path.join(root, 'stranger') } }, fileSet, optionsFor(t), context());
    assert.strictEqual(refused.failedStep, 'connect');
    assert.match(refused.error!, /^alpha: connect failed: .*Permission denied/s);
    assert.match(refused.error!, /login was refused/);
    const missing = await deployToMachine({ ...machineFor(t), ssh: { ...machineFor(t).ssh, identityFile: path.join(root, 'no-such-key') } }, fileSet, optionsFor(t), context());
    assert.strictEqual(missing.failedStep, 'connect');
    assert.match(missing.error!, /^alpha: connect failed: identity file .*no-such-key does not exist/);
  });

  it('a full disk on the machine fails the upload with its reason, leaves the old binary and no temp file', async function () {
    const t = await startDeployTarget(root, 'zeta', { smallDisk: true });
    try {
      // The machine's bin/ is a 16 MiB tmpfs in sshd's mount namespace: seen from here through /proc/PID/root.
      const binSeen = path.join(`/proc/${t.ssh.daemon.pid}/root`, t.binDir);
      fs.writeFileSync(path.join(binSeen, 'dockerd'), '#!/bin/sh\necho old dockerd\n', { mode: 0o755 });
      const r = await deployToMachine(machineFor(t), fileSet, { ...optionsFor(t), restart: 'true' }, context());
      assert.strictEqual(r.ok, false);
      assert.strictEqual(r.failedStep, 'upload');
      assert.match(r.error!, /^zeta: upload failed \(exit \d+\): tar: .*\nNo space left on the machine: the file system holding .*bin has \d+\.\d MiB free, the upload needs 71\.7 MiB\. Nothing was replaced\./s);
      assert.deepStrictEqual(fs.readdirSync(binSeen), ['dockerd'], 'no temp file is left');
      assert.strictEqual(fs.readFileSync(path.join(binSeen, 'dockerd'), 'utf8'), '#!/bin/sh\necho old dockerd\n');
    } finally {
      await t.stop();
    }
  });
});

describe('machine status over SSH: a TLS daemon port, an ssh_config alias', function () {
  this.timeout(60_000);
  it('asks the daemon on its TLS port through the SSH connection with the client certificates; a wrong CA is refused', async function () {
    const rig = currentRig();
    const dir = makeRigDir('tls-status');
    try {
      const port = Number(new URL(rig.docker.tlsHost!).port);
      const machine: Machine = {
        name: 'tls-machine',
        source: 'docker-machine',
        driver: 'generic',
        ssh: { host: '127.0.0.1', port: rig.ssh.port, user: rig.ssh.user, identityFile: rig.ssh.identityFile, hostKeys: 'pinned' },
        engine: { host: `tcp://127.0.0.1:${port}`, tls: { ca: path.join(rig.tls.clientDir, 'ca.pem'), cert: path.join(rig.tls.clientDir, 'cert.pem'), key: path.join(rig.tls.clientDir, 'key.pem') } },
        daemonHost: `tcp://localhost:${port}`,
        origin: 'test',
      };
      const ctx = { pinnedHostKeys: new PinnedHostKeys(path.join(dir, 'known_hosts')), confirmHostKey: async () => true, records: new DeployRecords(path.join(dir, 'deploys.json')) };
      const s = await machineStatus(machine, ctx);
      assert.strictEqual(s.reachable, true, s.error);
      assert.ok(s.daemon?.version, `no version: ${s.daemonError}`);
      assert.strictEqual(s.daemon?.commit, (await rig.docker.client.version()).GitCommit);
      // A CA that did not sign the server's certificate: the answer is refused.
      fs.mkdirSync(path.join(dir, 'other'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'other', 'k.pem'), '-out', path.join(dir, 'other', 'ca.pem'), '-days', '1', '-subj', '/CN=other'], { stdio: 'ignore' });
      const wrong = await machineStatus({ ...machine, engine: { ...machine.engine!, tls: { ...machine.engine!.tls!, ca: path.join(dir, 'other', 'ca.pem') } } }, ctx);
      assert.strictEqual(wrong.reachable, true);
      assert.strictEqual(wrong.daemon, undefined);
      assert.match(wrong.daemonError ?? '', /certificate|self.signed|verify/i);
    } finally {
      removeRigDir(dir);
    }
  });

  it('an SSH host given as an ~/.ssh/config alias is resolved by OpenSSH (HostName, Port, User, key, known_hosts)', async function () {
    const rig = currentRig();
    const dir = makeRigDir('alias-status');
    try {
      // The rig's ssh wrapper reads an ssh_config where Host rig-ssh names 127.0.0.1, the port, the user and the key.
      const machine: Machine = { name: 'rig-ssh', source: 'ssh', ssh: { host: 'rig-ssh', hostKeys: 'user' }, daemonHost: rig.docker.host, origin: 'test' };
      const ctx = { pinnedHostKeys: new PinnedHostKeys(path.join(dir, 'known_hosts')), records: new DeployRecords(path.join(dir, 'deploys.json')), sshBinary: path.join(rig.ssh.clientBinDir, 'ssh') };
      const s = await machineStatus(machine, ctx);
      assert.strictEqual(s.reachable, true, s.error);
      assert.strictEqual(s.daemon?.commit, (await rig.docker.client.version()).GitCommit);
      assert.ok(!fs.existsSync(path.join(dir, 'known_hosts')), "the user's known_hosts is used, nothing is pinned");
    } finally {
      removeRigDir(dir);
    }
  });
});

