import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DetectedRepository } from '../../../src/core/repo/detect';
import { api, targetNodes, until, workspaceRoot } from '../helpers';

// The runner opens the folder above the sample fork (the repository is nested
// one level down) with workspace trust enforced and never trusts it.
const forkRoot = () => path.join(workspaceRoot(), 'moby-fork');

describe('in Restricted Mode (workspace trust enforced, the workspace not trusted), a fork nested in the workspace folder', function () {
  this.timeout(60_000);

  before(async () => {
    // workspaceContains only looks at the folder's top level, so a nested fork activates the extension on first use, as here.
    await vscode.commands.executeCommand('dockerFork.repository.refresh');
  });

  it('opens the workspace untrusted, and the extension runs there (it supports limited mode)', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the runner enforces workspace trust and never trusts this folder');
    assert.ok((await api()).activationMs >= 0);
  });

  it('browses: detection, the Repository view and the build targets work', async () => {
    const repos = await vscode.commands.executeCommand<DetectedRepository[]>('dockerFork.repository.refresh');
    assert.deepStrictEqual(repos.map((r) => [r.name, r.kind, r.root]), [['moby-fork', 'moby', forkRoot()]]);
    const ui = (await api()).ui;
    await vscode.commands.executeCommand('dockerFork.repository.focus');
    await until('the Repository view to be visible', () => ui.treeViews['dockerFork.repository'].visible);
    await until('the status bar to render', () => ui.statusBar.text);
    assert.strictEqual(ui.statusBar.text, '$(tools) binary');
  });

  it('reads the nested repository\'s build settings from its own .vscode/settings.json, as the CLI does, not from the workspace folder\'s', async () => {
    const targets = await targetNodes();
    assert.deepStrictEqual(targets.map((n) => n.recipe.id), ['binary', 'dynbinary', 'vet', 'slow']);
    const binary = targets[0].recipe;
    assert.ok(binary.executor === 'container' && binary.privileged === false, 'the repository\'s dockerFork.build.privileged: false applies');
    assert.ok(binary.executor === 'container' && binary.image.kind === 'dockerfile', 'the folder\'s dockerFork.build.image does not');
  });

  it('refuses to build: Build Default Target and Build Target return without starting a task or a build', async () => {
    const started: string[] = [];
    const sub = vscode.tasks.onDidStartTask((e) => started.push(e.execution.task.name));
    try {
      assert.strictEqual(await vscode.commands.executeCommand('dockerFork.build.runDefault'), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('dockerFork.build.run', { target: 'binary' }), undefined);
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepStrictEqual(started, []);
      const ui = (await api()).ui;
      for (const n of await targetNodes()) assert.match(String(ui.buildTargets.getTreeItem(n).contextValue), /state=idle/);
      assert.strictEqual(ui.statusBar.text, '$(tools) binary', 'no build started or finished');
    } finally {
      sub.dispose();
    }
  });

  it('shows the fork\'s git status in the Repository view, and refuses the git actions (they run the repository\'s hooks and config)', async () => {
    const view = (await api()).ui.repository;
    const [node] = await view.getChildren();
    assert.ok(node.type === 'repo' && node.status, 'git status read in Restricted Mode');
    assert.strictEqual(node.status.head.branch, 'main');
    assert.deepStrictEqual(node.status.remotes.map((r) => [r.name, r.role]), [['upstream', 'upstream']]);
    const started: string[] = [];
    const sub = vscode.tasks.onDidStartTask((e) => started.push(e.execution.task.name));
    try {
      assert.strictEqual(await vscode.commands.executeCommand('dockerFork.repository.fetchUpstream', { repository: 'moby-fork' }), undefined);
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepStrictEqual(started, []);
    } finally {
      sub.dispose();
    }
  });

  it('refuses Deploy, Rollback, Restart Daemon and Use as Engine: they return without a task, a connection or a settings change', async () => {
    const started: string[] = [];
    const sub = vscode.tasks.onDidStartTask((e) => started.push(e.execution.task.name));
    const envBefore = vscode.workspace.getConfiguration('dockerFork').inspect('environment')?.workspaceValue;
    let asked = 0;
    const confirmHostKey = async () => (asked++, true);
    try {
      const args = { machines: ['any-machine'], machine: 'any-machine', from: '/nonexistent', confirmed: true, confirmHostKey, confirmPlan: async () => (asked++, true) };
      for (const command of ['deploy', 'rollback', 'restartDaemon', 'useAsEngine']) {
        assert.strictEqual(await vscode.commands.executeCommand(`dockerFork.machine.${command}`, args), undefined, `dockerFork.machine.${command} refused`);
      }
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepStrictEqual(started, [], 'no deploy or rollback task started');
      assert.strictEqual(asked, 0, 'nothing connected far enough to ask about a host key or a plan');
      assert.deepStrictEqual(vscode.workspace.getConfiguration('dockerFork').inspect('environment')?.workspaceValue, envBefore);
    } finally {
      sub.dispose();
    }
  });

  it('does not read SSH hosts from the untrusted workspace\'s settings (they choose where deploys connect)', async () => {
    const c = vscode.workspace.getConfiguration('dockerFork');
    const before = c.inspect('machines.sshHosts')?.workspaceValue;
    await c.update('machines.sshHosts', ['someone@untrusted.example:22'], vscode.ConfigurationTarget.Workspace);
    try {
      const list = await vscode.commands.executeCommand<{ machines: Array<{ name: string }> }>('dockerFork.machine.refresh');
      assert.ok(!list.machines.some((m) => m.name === 'someone@untrusted.example:22'), list.machines.map((m) => m.name).join(', '));
      const top = await (await api()).ui.machines.getChildren();
      assert.ok(!top.some((n) => n.type === 'source' && n.source === 'ssh'), 'no SSH hosts group');
    } finally {
      await c.update('machines.sshHosts', before, vscode.ConfigurationTarget.Workspace);
    }
  });
});
