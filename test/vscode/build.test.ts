import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildResult } from '../../src/core/build/events';
import type { DockerForkApi } from '../../src/extension';
import type { BuildTargetsNode } from '../../src/views/buildTargetsView';

function api(): DockerForkApi {
  return vscode.extensions.getExtension<DockerForkApi>('docker-fork-workbench.docker-fork-workbench')!.exports;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function targetNodes(): Promise<Array<Extract<BuildTargetsNode, { type: 'target' }>>> {
  const nodes = await api().ui.buildTargets.getChildren();
  return nodes.filter((n): n is Extract<BuildTargetsNode, { type: 'target' }> => n.type === 'target');
}

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

describe('building from VS Code (tasks, Build Targets view, status bar, Problems)', function () {
  this.timeout(240_000);

  it('offers every target as a dockerfork task and in the Build Targets view, default marked', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'dockerfork' });
    assert.deepStrictEqual(tasks.map((t) => t.name).sort(), ['moby-fork: binary', 'moby-fork: dynbinary', 'moby-fork: slow', 'moby-fork: vet']);
    assert.ok(tasks.every((t) => t.group?.id === vscode.TaskGroup.Build.id));
    const nodes = await targetNodes();
    const binary = nodes.find((n) => n.recipe.id === 'binary')!;
    const item = api().ui.buildTargets.getTreeItem(binary);
    assert.match(String(item.description), /^default/);
    assert.strictEqual(item.contextValue, 'node=target,state=idle,default');
    assert.match(api().ui.statusBar.text, /\$\(tools\) binary/);
  });

  it('builds the default target as a task: the tree shows its artifacts and the status bar its result', async () => {
    const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.runDefault');
    assert.ok(result, 'the build ran');
    assert.strictEqual(result.exitCode, 0, result.error);
    assert.deepStrictEqual(result.artifacts.map((a) => a.relativePath), ['bundles/binary-daemon/docker-proxy-dev', 'bundles/binary-daemon/dockerd-dev']);
    assert.match(api().ui.statusBar.text, /^\$\(check\) binary · \d+s$/);
    const binary = await until('the tree to show the result', async () => (await targetNodes()).find((n) => n.recipe.id === 'binary' && n.last?.result === 'succeeded'));
    assert.match(String(api().ui.buildTargets.getTreeItem(binary).description), /succeeded · \d+s · just now/);
    const artifacts = await api().ui.buildTargets.getChildren(binary);
    assert.deepStrictEqual(artifacts.map((a) => (a.type === 'artifact' ? path.basename(a.artifact.path) : a.type)), ['docker-proxy-dev', 'dockerd-dev']);
    const dockerd = artifacts[1] as Extract<BuildTargetsNode, { type: 'artifact' }>;
    assert.match(String(api().ui.buildTargets.getTreeItem(dockerd).description), /B · Docker version dev, build [0-9a-f]+$/);
  });

  it('puts Go compiler errors of a failed build in Problems, at the workspace file, and clears them on the next build', async () => {
    const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'vet' });
    assert.strictEqual(result?.exitCode, 2);
    assert.match(api().ui.statusBar.text, /^\$\(error\) vet failed/);
    const file = vscode.Uri.file(path.join(workspaceRoot(), 'daemon', 'daemon.go'));
    const diagnostics = vscode.languages.getDiagnostics(file);
    assert.strictEqual(diagnostics.length, 1);
    assert.strictEqual(diagnostics[0].message, 'undefined: Versoin');
    assert.deepStrictEqual([diagnostics[0].range.start.line, diagnostics[0].range.start.character], [4, 6]);
    assert.strictEqual(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    const next = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'binary' });
    assert.strictEqual(next?.exitCode, 0);
    assert.strictEqual(vscode.languages.getDiagnostics(file).length, 0);
  });

  it('shows a running build in the status bar and the tree, and Stop ends it without leaving state on "building"', async () => {
    const running = vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'slow' });
    await until('the status bar to show the running build', () => /^\$\(sync~spin\) slow · Step 1\/3 · \d+s$/.test(api().ui.statusBar.text));
    const slow = (await targetNodes()).find((n) => n.recipe.id === 'slow')!;
    assert.strictEqual(api().ui.buildTargets.getTreeItem(slow).contextValue, 'node=target,state=building');
    // One build per repository: a second task for it ends at once with exit 1, and the first goes on.
    const binaryTask = (await vscode.tasks.fetchTasks({ type: 'dockerfork' })).find((t) => t.name === 'moby-fork: binary')!;
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === 'moby-fork: binary') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(binaryTask);
    assert.strictEqual(await ended, 1);
    assert.match(api().ui.statusBar.text, /^\$\(sync~spin\) slow/);
    const stoppedAt = Date.now();
    await vscode.commands.executeCommand('dockerFork.build.stop');
    const result = await running;
    assert.strictEqual(result?.cancelled, true);
    assert.ok(Date.now() - stoppedAt < 10_000);
    assert.match(api().ui.statusBar.text, /^\$\(circle-slash\) slow cancelled/);
    const after = (await targetNodes()).find((n) => n.recipe.id === 'slow')!;
    assert.strictEqual(api().ui.buildTargets.getTreeItem(after).contextValue, 'node=target,state=idle');
    // And the next build works.
    assert.strictEqual((await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'binary' }))?.exitCode, 0);
  });

  it('a malformed dockerFork.targets only affects the target list: detection still works and the view names the setting', async () => {
    const config = vscode.workspace.getConfiguration('dockerFork');
    const before = config.inspect('targets')?.workspaceValue;
    await config.update('targets', [{ id: 'broken', command: 'make binary' }], vscode.ConfigurationTarget.Workspace);
    try {
      const repos = await vscode.commands.executeCommand<Array<{ name: string }>>('dockerFork.repository.refresh');
      assert.deepStrictEqual(repos.map((r) => r.name), ['moby-fork']);
      const nodes = await api().ui.buildTargets.getChildren();
      assert.strictEqual(nodes.length, 1);
      assert.strictEqual(nodes[0].type, 'error');
      assert.match(String(api().ui.buildTargets.getTreeItem(nodes[0]).label), /dockerFork\.targets\[0\] \("broken"\) needs "command" as a non-empty array/);
    } finally {
      await config.update('targets', before, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('keeps the history across a reload of the view (it is stored, not held in memory)', async () => {
    const nodes = await targetNodes();
    assert.deepStrictEqual(
      nodes.filter((n) => n.last).map((n) => [n.recipe.id, n.last!.result]).sort(),
      [['binary', 'succeeded'], ['slow', 'cancelled'], ['vet', 'failed']],
    );
    // Leave the Docker Fork view showing the build targets for the runner's screenshot.
    await vscode.commands.executeCommand('workbench.view.extension.dockerFork');
    await vscode.commands.executeCommand('dockerFork.buildTargets.focus');
  });
});
