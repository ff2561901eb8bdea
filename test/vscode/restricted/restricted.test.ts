import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DetectedRepository } from '../../../src/core/repo/detect';
import { api, targetNodes, until, workspaceRoot } from '../helpers';

describe('in Restricted Mode (workspace trust enforced, the workspace not trusted)', function () {
  this.timeout(60_000);

  it('opens the workspace untrusted, and the extension activates (it supports limited mode)', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the runner enforces workspace trust and never trusts this folder');
    assert.ok((await api()).activationMs >= 0);
  });

  it('browses: detection, the Repository view and the build targets work', async () => {
    const repos = await vscode.commands.executeCommand<DetectedRepository[]>('dockerFork.repository.refresh');
    assert.deepStrictEqual(repos.map((r) => [r.name, r.kind, r.root]), [['moby-fork', 'moby', workspaceRoot()]]);
    const ui = (await api()).ui;
    await vscode.commands.executeCommand('dockerFork.repository.focus');
    await until('the Repository view to be visible', () => ui.treeViews['dockerFork.repository'].visible);
    const targets = await targetNodes();
    assert.deepStrictEqual(targets.map((n) => n.recipe.id).slice(0, 2), ['binary', 'dynbinary']);
    await until('the status bar to render', () => ui.statusBar.text);
    assert.strictEqual(ui.statusBar.text, '$(tools) binary');
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
});
