import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DeployArgs } from '../../src/commands/machineCommands';
import type { BuildResult } from '../../src/core/build/events';
import type { RestartResult } from '../../src/core/deploy/restartDaemon';
import type { DeployPlan } from '../../src/core/deploy/deployPlan';
import type { RollbackResult } from '../../src/core/deploy/deployRunner';
import type { MachineList } from '../../src/core/machines';
import type { ScannedHostKey } from '../../src/core/ssh/hostKeys';
import type { DeployCommandResult } from '../../src/machines/deployFlow';
import type { MachinesNode } from '../../src/views/machinesView';
import { DeployTarget, startDeployTarget } from '../services/deployTarget';
import { findBinary } from '../services/preflight';
import { makeRigDir, removeRigDir } from '../services/tempRoot';
import { v3Config } from '../unit/machineStoreFixtures';
import { api, exitCodeOfTask, until, workspaceRoot } from './helpers';

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** The sha256 of the program a pid runs (what really runs, not what the file says now). */
const runningSha = (pid: number) => sha256(`/proc/${pid}/exe`);

const MACHINE = 'vm-alpha';
const SSH_HOST = 'rig-ssh-host';

const deploy = (args: DeployArgs) => vscode.commands.executeCommand<DeployCommandResult | undefined>('dockerFork.machine.deploy', args);

async function view() {
  return (await api()).ui.machines;
}

async function topLevel(): Promise<MachinesNode[]> {
  await vscode.commands.executeCommand<MachineList>('dockerFork.machine.refresh');
  return (await view()).getChildren();
}

async function group(source: string): Promise<MachinesNode[]> {
  const g = (await topLevel()).find((n) => n.type === 'source' && n.source === source);
  assert.ok(g, `the Machines view has a ${source} group`);
  return (await view()).getChildren(g);
}

async function machineNode(source: string, name: string): Promise<Extract<MachinesNode, { type: 'machine' }>> {
  const n = (await group(source)).find((c): c is Extract<MachinesNode, { type: 'machine' }> => c.type === 'machine' && c.machine.name === name);
  assert.ok(n, `${name} is listed under ${source}`);
  return n;
}

/** What an expanded machine shows, as label — description, read through the view as VS Code would. */
async function expand(source: string, name: string): Promise<string[]> {
  const v = await view();
  const children = await v.getChildren(await machineNode(source, name));
  return children.map((c) => {
    const item = v.getTreeItem(c);
    return `${String(item.label)}${item.description ? ` — ${String(item.description)}` : ''}`;
  });
}


/**
 * The Machines view and its commands against a real target: an OpenSSH sshd
 * on loopback and a real dockerd (Debian's) run from the target's bin/,
 * restarted by a restart command (a test stand-in for systemctl, named so in
 * test/services/deployTarget.ts). The machine comes from a docker-machine
 * store in docker-machine's own format, found through MACHINE_STORAGE_PATH in
 * dockerFork.environment; pins and deploy records go to the runner's
 * DFW_STATE_DIR, the files the CLI uses.
 */
describe('Machines view and deploy commands (real sshd and dockerd on the target, docker-machine store on disk)', function () {
  this.timeout(240_000);
  let root: string;
  let target: DeployTarget;
  let store: string;
  const seenKeys: string[] = [];
  const confirmHostKey = async (r: { machine: string; keys: readonly ScannedHostKey[] }) => (seenKeys.push(`${r.machine} ${r.keys.map((k) => k.fingerprint).join(',')}`), true);
  const plans: DeployPlan[][] = [];
  const confirmPlan = async (p: readonly DeployPlan[]) => (plans.push([...p]), true);
  const config = () => vscode.workspace.getConfiguration('dockerFork');
  const SETTINGS = ['environment', 'machines.sshHosts', 'deploy.dest', 'deploy.restartCommand', 'deploy.daemonHost', 'deploy.remoteStateDir'];
  let saved: Record<string, unknown> = {};

  /** An artifact: Debian's dockerd with bytes appended (runs the same, another sha256), in moby's bundle layout. */
  function makeBundle(dir: string, tag: string): string {
    const daemon = path.join(dir, 'binary-daemon');
    fs.mkdirSync(daemon, { recursive: true });
    fs.writeFileSync(path.join(daemon, 'dockerd-dev'), Buffer.concat([fs.readFileSync(findBinary('dockerd')!), Buffer.from(`\0dfw-test-${tag}\n`)]), { mode: 0o755 });
    fs.symlinkSync('dockerd-dev', path.join(daemon, 'dockerd'));
    return dir;
  }

  /** Deploys bundle `tag` (made once per tag) and checks it runs. */
  async function deployed(tag: string): Promise<DeployCommandResult> {
    const dir = path.join(root, `bundles-${tag}`);
    if (!fs.existsSync(dir)) makeBundle(dir, tag);
    const r = await deploy({ machines: [MACHINE], from: dir, confirmHostKey, confirmPlan });
    assert.ok(r, 'the deploy command resolved with results');
    assert.ok(r.results[0]?.ok, `deployed: ${r.results[0]?.error}`);
    return r;
  }

  before(async function () {
    assert.ok(process.env.DFW_STATE_DIR, 'the runner gives the extension host a state dir of its own (DFW_STATE_DIR)');
    // A short path: dockerd's sockets under the target's exec root must fit in a unix socket address.
    root = makeRigDir('vsm');
    target = await startDeployTarget(root, 'alpha');
    const dockerd = findBinary('dockerd')!;
    fs.copyFileSync(dockerd, path.join(target.binDir, 'dockerd'));
    fs.chmodSync(path.join(target.binDir, 'dockerd'), 0o755);
    await target.startDaemon();
    // A docker-machine store: one machine on the target, one whose config.json is broken.
    store = path.join(root, 'machine-store');
    const dir = path.join(store, 'machines', MACHINE);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(target.ssh.identityFile, path.join(dir, 'id_rsa'));
    fs.chmodSync(path.join(dir, 'id_rsa'), 0o600);
    // The TLS files docker-machine keeps beside it (only their paths are used here).
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, f), `not a real ${f}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'config.json'), v3Config(MACHINE, 'generic', { IPAddress: '127.0.0.1', SSHUser: target.ssh.user, SSHPort: target.ssh.port, SSHKeyPath: path.join(dir, 'id_rsa'), EnginePort: 2376 }, store));
    fs.mkdirSync(path.join(store, 'machines', 'broken'));
    fs.writeFileSync(path.join(store, 'machines', 'broken', 'config.json'), '{ "ConfigVersion": 3, "Driver": ');
    const c = config();
    saved = Object.fromEntries(SETTINGS.map((k) => [k, c.inspect(k)?.workspaceValue]));
    await c.update('environment', { ...((saved.environment as object) ?? {}), MACHINE_STORAGE_PATH: store }, vscode.ConfigurationTarget.Workspace);
    // An SSH host whose key is not in the user's known_hosts: listed, and its status names why it cannot be reached.
    await c.update('machines.sshHosts', [{ name: SSH_HOST, host: '127.0.0.1', port: target.ssh.port, user: target.ssh.user, identityFile: target.ssh.identityFile }], vscode.ConfigurationTarget.Workspace);
    // Where the target keeps its daemon, and how it restarts it (it has no systemd).
    await c.update('deploy.dest', target.binDir, vscode.ConfigurationTarget.Workspace);
    await c.update('deploy.restartCommand', target.restartCommand, vscode.ConfigurationTarget.Workspace);
    await c.update('deploy.daemonHost', target.daemonHost, vscode.ConfigurationTarget.Workspace);
    await c.update('deploy.remoteStateDir', target.stateDir, vscode.ConfigurationTarget.Workspace);
  });

  after(async function () {
    const c = config();
    for (const k of SETTINGS) await c.update(k, saved[k], vscode.ConfigurationTarget.Workspace);
    await target?.stop();
    if (root) removeRigDir(root);
  });

  it('lists the docker-machine store and the SSH hosts of settings by source, a broken config.json as a problem beside the good machine', async () => {
    const v = await view();
    const top = await topLevel();
    const sources = top.map((n) => (n.type === 'source' ? n.source : n.type));
    assert.ok(sources.includes('docker-machine') && sources.includes('ssh'), `groups: ${sources.join(', ')}`);
    assert.ok(sources.indexOf('docker-machine') < sources.indexOf('ssh'), 'docker-machine first, SSH hosts last');
    const dm = await group('docker-machine');
    const machine = dm.find((n) => n.type === 'machine');
    assert.ok(machine?.type === 'machine' && machine.machine.name === MACHINE);
    const item = v.getTreeItem(machine);
    assert.strictEqual(item.contextValue, 'node=machine,source=docker-machine,engine=true');
    assert.match(String(item.description), new RegExp(`${target.ssh.user}@127\\.0\\.0\\.1:${target.ssh.port} · generic`));
    assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'status is read on expand');
    const problem = dm.find((n) => n.type === 'problem');
    assert.ok(problem?.type === 'problem', 'the broken machine is listed as a problem');
    assert.strictEqual(problem.problem.name, 'broken');
    const pItem = v.getTreeItem(problem);
    assert.strictEqual(pItem.contextValue, 'node=problem,source=docker-machine');
    assert.match(String(pItem.tooltip), /broken[/\\]config\.json/);
    const ssh = await group('ssh');
    assert.deepStrictEqual(ssh.map((n) => (n.type === 'machine' ? n.machine.name : n.type)), [SSH_HOST]);
    assert.strictEqual(v.getTreeItem(ssh[0]).contextValue, 'node=machine,source=ssh');
  });

  it('shows why an SSH host cannot be reached when it is expanded (its key is not in the user\'s known_hosts)', async () => {
    const lines = await expand('ssh', SSH_HOST);
    assert.strictEqual(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^Not reachable — .*(host key|Host key)/i);
  });

  it('deploys a bundles/ folder: the host key shown and pinned in the CLI\'s state dir, the plan confirmed before any change, the steps in a task terminal, the new dockerd running', async () => {
    const before = target.daemonPid()!;
    const ended = exitCodeOfTask(`Deploy to ${MACHINE}`);
    seenKeys.length = 0;
    plans.length = 0;
    // First contact, whatever ran before: no key pinned yet.
    const pinned = path.join(process.env.DFW_STATE_DIR!, 'known_hosts');
    fs.rmSync(pinned, { force: true });
    const r = await deployed(`bundle-${Date.now()}`);
    assert.strictEqual(await ended, 0, `the task terminal closed with exit code 0: ${r.results.map((x) => x.error).join('; ')}`);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `x ${target.ssh.hostPublicKey}\n` }).toString().split(' ')[1];
    assert.deepStrictEqual(seenKeys, [`${MACHINE} ${fingerprint}`], 'asked once, with the fingerprint of the target\'s host key');
    assert.match(fs.readFileSync(pinned, 'utf8'), new RegExp(target.ssh.hostPublicKey.split(' ')[1].replace(/[+/]/g, '\\$&')), 'the key is pinned in DFW_STATE_DIR/known_hosts');
    assert.strictEqual(plans.length, 1, 'the plan was asked about once');
    assert.deepStrictEqual(plans[0].map((p) => [p.machine, p.dest, p.files.map((f) => f.name).join()]), [[MACHINE, target.binDir, 'dockerd']]);
    const after = target.daemonPid()!;
    assert.notStrictEqual(after, before, 'the daemon was restarted');
    assert.strictEqual(runningSha(after), r.results[0].plan!.files[0].sha256, 'the running daemon is the binary deployed');
    const records = JSON.parse(fs.readFileSync(path.join(process.env.DFW_STATE_DIR!, 'deploys.json'), 'utf8')) as Record<string, { dest: string; state: string }>;
    assert.strictEqual(records[MACHINE]?.dest, target.binDir, 'the deploy is remembered where the CLI looks');
    assert.strictEqual(records[MACHINE]?.state, 'deployed');
  });

  it('changes nothing when the plan is refused', async () => {
    await deployed('baseline');
    const pid = target.daemonPid()!;
    const binary = sha256(path.join(target.binDir, 'dockerd'));
    const backups = fs.readdirSync(path.join(target.stateDir, 'backups'));
    const dir = makeBundle(path.join(root, `refused-${Date.now()}`), 'refused');
    let asked = 0;
    const r = await deploy({ machines: [MACHINE], from: dir, confirmHostKey, confirmPlan: async () => (asked++, false) });
    assert.ok(r);
    assert.strictEqual(asked, 1);
    assert.strictEqual(r.results[0].ok, false);
    assert.strictEqual(r.results[0].failedStep, 'plan');
    assert.ok(r.cancelled);
    assert.strictEqual(target.daemonPid(), pid, 'the daemon was not restarted');
    assert.strictEqual(sha256(path.join(target.binDir, 'dockerd')), binary, 'the binary was not replaced');
    assert.deepStrictEqual(fs.readdirSync(path.join(target.stateDir, 'backups')), backups, 'no backup was made');
    assert.deepStrictEqual(fs.readdirSync(target.binDir), ['dockerd'], 'no temp file left');
  });

  it('shows the machine\'s status on expand: reachable, the dockerd version and commit, the last deploy running now, the backups kept', async () => {
    await deployed('status');
    const lines = await expand('docker-machine', MACHINE);
    const backups = fs.readdirSync(path.join(target.stateDir, 'backups'));
    assert.strictEqual(lines.length, 4, lines.join('\n'));
    assert.strictEqual(lines[0], `Reachable — ${target.ssh.user}@127.0.0.1:${target.ssh.port}`);
    assert.match(lines[1], /^dockerd 20\.10\.\S+ — commit 5d6db84/);
    assert.match(lines[2], /^Last deploy (just now|\d+ min ago) — commit 5d6db84 · running now$/);
    assert.strictEqual(lines[3].split(' — ')[0], `Backups kept: ${backups.length}`);
    assert.ok(backups.length >= 1);
  });

  it('deploys the last build of a target from the build history, and Rollback puts back what ran before it', async () => {
    await deployed('before-build');
    const beforeSha = runningSha(target.daemonPid()!);
    // A host target whose artifact is a dockerd: its build is recorded in the history like any other.
    const artifact = path.join(makeBundle(path.join(root, `built-${Date.now()}`), 'built'), 'binary-daemon', 'dockerd-dev');
    const c = config();
    const targets = c.inspect<unknown[]>('targets')?.workspaceValue ?? [];
    const out = path.join(workspaceRoot(), 'bundles-deploy-test');
    await c.update('targets', [...targets, { id: 'deploy-me', executor: 'host', command: ['sh', '-c', `mkdir -p bundles-deploy-test && cp '${artifact}' bundles-deploy-test/dockerd`], artifacts: ['bundles-deploy-test/dockerd'] }], vscode.ConfigurationTarget.Workspace);
    try {
      const built = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'deploy-me' });
      assert.strictEqual(built?.exitCode, 0, `built: ${built?.error}`);
      const r = await deploy({ machines: [MACHINE], build: { target: 'deploy-me' }, confirmHostKey, confirmPlan });
      assert.ok(r?.results[0]?.ok, `deployed the last build: ${r?.results[0]?.error}`);
      assert.match(r.origin, /bundles-deploy-test[/\\]dockerd/);
      assert.strictEqual(runningSha(target.daemonPid()!), sha256(artifact), 'the built dockerd runs');
    } finally {
      await c.update('targets', targets, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(out, { recursive: true, force: true });
    }
    const ended = exitCodeOfTask(`Roll back ${MACHINE}`);
    const rolled = await vscode.commands.executeCommand<RollbackResult[]>('dockerFork.machine.rollback', { machines: [MACHINE], confirmed: true, confirmHostKey });
    assert.ok(rolled?.[0]?.ok, `rolled back: ${rolled?.[0]?.error}`);
    assert.strictEqual(await ended, 0);
    assert.strictEqual(runningSha(target.daemonPid()!), beforeSha, 'what ran before the deploy runs again');
    const lines = await expand('docker-machine', MACHINE);
    assert.match(lines[2], /rolled back$/);
  });

  it('restarts the daemon (with the restart command the target needs) and waits until it answers', async () => {
    const pid = target.daemonPid()!;
    const sha = runningSha(pid);
    const r = await vscode.commands.executeCommand<RestartResult>('dockerFork.machine.restartDaemon', { machine: MACHINE, confirmed: true, confirmHostKey });
    assert.ok(r?.ok, `restarted: ${r?.error}`);
    assert.strictEqual(r.description, target.restartCommand);
    assert.match(r.daemon?.commit ?? '', /^5d6db84/);
    assert.notStrictEqual(target.daemonPid(), pid, 'a new daemon process');
    assert.strictEqual(runningSha(target.daemonPid()!), sha, 'the same binary');
  });

  it('opens an SSH terminal from argv (no shell string) that logs in to the machine with its key and pinned host key', async () => {
    const marker = path.join(root, `from-terminal-${Date.now()}`);
    const t = await vscode.commands.executeCommand<vscode.Terminal>('dockerFork.machine.openSshTerminal', { machine: MACHINE, confirmHostKey });
    assert.ok(t, 'a terminal was opened');
    try {
      const o = t.creationOptions as vscode.TerminalOptions;
      assert.strictEqual(o.shellPath, 'ssh');
      const args = o.shellArgs as string[];
      assert.deepStrictEqual(args.slice(args.indexOf('--')), ['--', '127.0.0.1']);
      assert.ok(args.includes(`UserKnownHostsFile=${path.join(process.env.DFW_STATE_DIR!, 'known_hosts')}`) && args.includes('StrictHostKeyChecking=yes'), args.join(' '));
      t.sendText(`touch '${marker}'`);
      await until('the command typed in the SSH terminal to run on the machine', () => fs.existsSync(marker), 30_000);
    } finally {
      t.dispose();
    }
  });

  it('shows the daemon log in a terminal running journalctl -fu docker through ssh', async () => {
    const t = await vscode.commands.executeCommand<vscode.Terminal>('dockerFork.machine.showDaemonLog', { machine: MACHINE, confirmHostKey });
    assert.ok(t);
    try {
      const args = (t.creationOptions as vscode.TerminalOptions).shellArgs as string[];
      assert.deepStrictEqual(args.slice(args.indexOf('--')), ['--', '127.0.0.1', 'journalctl -f -u docker']);
    } finally {
      t.dispose();
    }
  });

  it('uses a machine as the engine for builds: docker-machine\'s TLS endpoint, an SSH host as ssh://, in dockerFork.environment, other variables kept', async () => {
    const c = config();
    const before = c.inspect<Record<string, string>>('environment')?.workspaceValue;
    try {
      const dm = await vscode.commands.executeCommand<Record<string, string>>('dockerFork.machine.useAsEngine', { machine: MACHINE });
      assert.deepStrictEqual(dm, { MACHINE_STORAGE_PATH: store, DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(store, 'machines', MACHINE) });
      assert.deepStrictEqual(c.inspect('environment')?.workspaceValue, dm, 'written to the workspace settings');
      const ssh = await vscode.commands.executeCommand<Record<string, string>>('dockerFork.machine.useAsEngine', { machine: SSH_HOST });
      assert.deepStrictEqual(ssh, { MACHINE_STORAGE_PATH: store, DOCKER_HOST: `ssh://${target.ssh.user}@127.0.0.1:${target.ssh.port}` }, 'the TLS variables of the previous engine are gone');
    } finally {
      await c.update('environment', before, vscode.ConfigurationTarget.Workspace);
    }
  });
});
