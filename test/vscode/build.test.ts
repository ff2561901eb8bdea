import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildResult } from '../../src/core/build/events';
import type { BuildTargetsNode } from '../../src/views/buildTargetsView';
import { api, buildTargetNodes, targetNodes, until, workspaceRoot } from './helpers';

type Target = Record<string, unknown>;

/** The workspace's own dockerFork.targets (the runner's TEST_WORKSPACE_SETTINGS), to add to and restore. */
function workspaceTargets(): Target[] {
  return (vscode.workspace.getConfiguration('dockerFork').inspect<Target[]>('targets')?.workspaceValue ?? []) as Target[];
}

/** Runs `body` with `extra` targets added to the workspace settings, and always puts the settings back. */
async function withTargets<T>(extra: Target[], body: () => Promise<T>): Promise<T> {
  const config = vscode.workspace.getConfiguration('dockerFork');
  const before = workspaceTargets();
  await config.update('targets', [...before, ...extra], vscode.ConfigurationTarget.Workspace);
  try {
    return await body();
  } finally {
    await config.update('targets', before, vscode.ConfigurationTarget.Workspace);
  }
}

const build = (arg?: { target: string }) => vscode.commands.executeCommand<BuildResult>(arg ? 'dockerFork.build.run' : 'dockerFork.build.runDefault', arg);

function endOfTask(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === name) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

// Every test sets up what it needs and puts the settings back, so any one of
// them can run alone or in any order (mocha --grep works on this file).
describe('building from VS Code (tasks, Build Targets view, status bar, Problems)', function () {
  this.timeout(240_000);

  before(async function () {
    // The user targets of the test workspace (vet, slow) run in the dev image that the
    // detected binary target builds from the fixture's Dockerfile: make it once.
    const result = await build({ target: 'binary' });
    assert.strictEqual(result?.exitCode, 0, `the dev image and binary build: ${result?.error}`);
  });

  after(async () => {
    // Leave the Docker Fork view showing the build targets for the runner's screenshot.
    await vscode.commands.executeCommand('workbench.view.extension.dockerFork');
    await vscode.commands.executeCommand('dockerFork.buildTargets.focus');
  });

  it('offers every target as a dockerfork task and in the Build Targets view, default marked', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'dockerfork' });
    assert.deepStrictEqual(tasks.map((t) => t.name).sort(), ['moby-fork: binary', 'moby-fork: dynbinary', 'moby-fork: slow', 'moby-fork: vet']);
    assert.ok(tasks.every((t) => t.group?.id === vscode.TaskGroup.Build.id));
    const nodes = await targetNodes();
    const binary = nodes.find((n) => n.recipe.id === 'binary')!;
    const item = (await api()).ui.buildTargets.getTreeItem(binary);
    assert.match(String(item.description), /^default/);
    assert.strictEqual(item.contextValue, 'node=target,state=idle,default');
  });

  it('builds the default target as a task: the tree shows its artifacts and the status bar its result, and a click builds it again', async () => {
    const ui = (await api()).ui;
    const result = await build();
    assert.ok(result, 'the build ran');
    assert.strictEqual(result.exitCode, 0, result.error);
    assert.deepStrictEqual(result.artifacts.map((a) => a.relativePath), ['bundles/binary-daemon/docker-proxy-dev', 'bundles/binary-daemon/dockerd-dev']);
    assert.match(ui.statusBar.text, /^\$\(check\) binary · \d+s$/);
    assert.match(String(ui.statusBar.tooltip), /moby-fork: binary succeeded\. Click to build binary again\.$/);
    const binary = await until('the tree to show the result', async () => (await targetNodes()).find((n) => n.recipe.id === 'binary' && n.last?.result === 'succeeded'));
    assert.match(String(ui.buildTargets.getTreeItem(binary).description), /succeeded · \d+s · just now/);
    const artifacts = await ui.buildTargets.getChildren(binary);
    assert.deepStrictEqual(artifacts.map((a) => (a.type === 'artifact' ? path.basename(a.artifact.path) : a.type)), ['docker-proxy-dev', 'dockerd-dev']);
    const dockerd = artifacts[1] as Extract<BuildTargetsNode, { type: 'artifact' }>;
    assert.match(String(ui.buildTargets.getTreeItem(dockerd).description), /B · Docker version dev, build [0-9a-f]+$/);
  });

  it('builds the sample\'s dynbinary into its own bundle, and after that non-default build the status bar says it builds dynbinary again', async () => {
    const ui = (await api()).ui;
    const result = await build({ target: 'dynbinary' });
    assert.strictEqual(result?.exitCode, 0, result?.error);
    assert.deepStrictEqual(result.artifacts.map((a) => a.relativePath), ['bundles/dynbinary-daemon/docker-proxy-dev', 'bundles/dynbinary-daemon/dockerd-dev']);
    assert.match(ui.statusBar.text, /^\$\(check\) dynbinary · \d+s$/);
    assert.match(String(ui.statusBar.tooltip), /Click to build dynbinary again\.$/);
    assert.doesNotMatch(String(ui.statusBar.tooltip), /default/);
    const command = ui.statusBar.command as vscode.Command;
    assert.deepStrictEqual([command.command, command.arguments], ['dockerFork.build.run', [{ repository: workspaceRoot(), target: 'dynbinary' }]]);
  });

  it('shows a build that succeeds but finds none of its artifacts as a warning; removing its target clears its result, and its task says the target is gone', async () => {
    const ui = (await api()).ui;
    const hollow = { id: 'hollow', description: 'succeeds and leaves nothing', command: ['true'], image: 'docker-dev:moby-fork', artifacts: ['bundles/hollow-daemon'] };
    const tasksFile = path.join(workspaceRoot(), '.vscode', 'tasks.json');
    try {
      await withTargets([hollow], async () => {
        const result = await build({ target: 'hollow' });
        assert.deepStrictEqual([result?.exitCode, result?.artifacts.length], [0, 0]);
        assert.match(ui.statusBar.text, /^\$\(warning\) hollow · no artifacts · \d+s$/);
        assert.match(String(ui.statusBar.tooltip), /none of its artifacts were found \(bundles\/hollow-daemon\)/);
        const node = await until('the tree to show the warning', async () => (await targetNodes()).find((n) => n.recipe.id === 'hollow' && n.last));
        assert.strictEqual(node.last?.result, 'no-artifacts');
        const item = ui.buildTargets.getTreeItem(node);
        assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'warning');
        assert.match(String(item.description), /^no artifacts · \d+s · just now/);
      });
      // The target is gone from the settings: its result is no longer offered in the status bar.
      await until('the status bar to drop the removed target', () => !ui.statusBar.text.includes('hollow') && ui.statusBar.text);
      assert.strictEqual(ui.statusBar.text, '$(tools) binary');
      // A task still naming it (tasks.json, or Run Task's recent list) explains instead of "no task provider".
      fs.writeFileSync(tasksFile, JSON.stringify({ version: '2.0.0', tasks: [{ type: 'dockerfork', target: 'hollow', label: 'hollow again' }] }, null, 1));
      const stale = await until('the tasks.json task', async () => (await vscode.tasks.fetchTasks({ type: 'dockerfork' })).find((t) => t.definition.target === 'hollow'), 20_000);
      assert.strictEqual(stale.detail, 'target no longer exists');
      const ended = endOfTask(stale.name);
      await vscode.tasks.executeTask(stale);
      assert.strictEqual(await ended, 1);
    } finally {
      fs.rmSync(tasksFile, { force: true });
    }
  });

  it('puts Go compiler errors of a failed build in Problems, at the workspace file, and clears them on the next build and when the target is removed', async () => {
    const ui = (await api()).ui;
    const result = await build({ target: 'vet' });
    assert.strictEqual(result?.exitCode, 2);
    assert.match(ui.statusBar.text, /^\$\(error\) vet failed/);
    const file = vscode.Uri.file(path.join(workspaceRoot(), 'daemon', 'daemon.go'));
    const diagnostics = vscode.languages.getDiagnostics(file);
    assert.strictEqual(diagnostics.length, 1);
    assert.strictEqual(diagnostics[0].message, 'undefined: Versoin');
    assert.deepStrictEqual([diagnostics[0].range.start.line, diagnostics[0].range.start.character], [4, 6]);
    assert.strictEqual(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    const next = await build({ target: 'binary' });
    assert.strictEqual(next?.exitCode, 0);
    assert.strictEqual(vscode.languages.getDiagnostics(file).length, 0);
    // Problems of a target that is removed from the settings go with it.
    assert.strictEqual((await build({ target: 'vet' }))?.exitCode, 2);
    assert.strictEqual(vscode.languages.getDiagnostics(file).length, 1);
    const config = vscode.workspace.getConfiguration('dockerFork');
    const before = workspaceTargets();
    await config.update('targets', before.filter((t) => t.id !== 'vet'), vscode.ConfigurationTarget.Workspace);
    try {
      await until('Problems to drop the removed target\'s errors', () => vscode.languages.getDiagnostics(file).length === 0);
    } finally {
      await config.update('targets', before, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('shows a running build in the status bar and the tree; Stop ends it without leaving state on "building", and the task ends neither failed nor succeeded', async () => {
    const ui = (await api()).ui;
    const slowEnded = endOfTask('moby-fork: slow');
    const running = build({ target: 'slow' });
    await until('the status bar to show the running build', () => /^\$\(sync~spin\) slow · Step 1\/3 · \d+s$/.test(ui.statusBar.text));
    const slow = (await targetNodes()).find((n) => n.recipe.id === 'slow')!;
    assert.strictEqual(ui.buildTargets.getTreeItem(slow).contextValue, 'node=target,state=building');
    // One build per repository: a second task for it ends at once with exit 1, and the first goes on.
    const binaryTask = (await vscode.tasks.fetchTasks({ type: 'dockerfork' })).find((t) => t.name === 'moby-fork: binary')!;
    const ended = endOfTask('moby-fork: binary');
    await vscode.tasks.executeTask(binaryTask);
    assert.strictEqual(await ended, 1);
    assert.match(ui.statusBar.text, /^\$\(sync~spin\) slow/);
    const stoppedAt = Date.now();
    await vscode.commands.executeCommand('dockerFork.build.stop');
    const result = await running;
    assert.strictEqual(result?.cancelled, true);
    assert.ok(Date.now() - stoppedAt < 10_000);
    // No exit code: VS Code marks a task's tab failed for any non-zero one.
    assert.strictEqual(await slowEnded, undefined);
    assert.match(ui.statusBar.text, /^\$\(circle-slash\) slow cancelled/);
    const after = (await targetNodes()).find((n) => n.recipe.id === 'slow')!;
    assert.strictEqual(ui.buildTargets.getTreeItem(after).contextValue, 'node=target,state=idle');
    // And the next build works.
    assert.strictEqual((await build({ target: 'binary' }))?.exitCode, 0);
  });

  it('a malformed dockerFork.targets entry is listed beside the good targets, naming file and line, and the default target still builds', async () => {
    const ui = (await api()).ui;
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    await withTargets([{ id: 'broken', command: 'make binary' }], async () => {
      const repos = await vscode.commands.executeCommand<Array<{ name: string }>>('dockerFork.repository.refresh');
      assert.deepStrictEqual(repos.map((r) => r.name), ['moby-fork']);
      const nodes = await until('the broken entry in the view', async () => {
        const all = await buildTargetNodes();
        return all.some((n) => n.type === 'error') && all;
      });
      assert.deepStrictEqual(nodes.map((n) => (n.type === 'target' ? n.recipe.id : n.type)), ['binary', 'dynbinary', 'vet', 'slow', 'error']);
      const error = ui.buildTargets.getTreeItem(nodes[4]);
      assert.match(String(error.label), /dockerFork\.targets\[2\] \("broken"\) needs "command" as a non-empty array/);
      const line = fs.readFileSync(settingsFile, 'utf8').split('\n').findIndex((l) => l.includes('"broken"')) + 1;
      assert.ok(line > 0);
      // VS Code writes the entry over several lines; the problem points at the entry's first one.
      assert.match(String(error.description), /^\.vscode\/settings\.json:\d+$/);
      const reported = Number(String(error.description).split(':')[1]);
      assert.ok(reported <= line && reported >= line - 1, `line ${reported} for the entry at ${line}`);
      assert.match(String(error.tooltip), new RegExp(`^${settingsFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${reported}: `));
      const tasks = await vscode.tasks.fetchTasks({ type: 'dockerfork' });
      assert.deepStrictEqual(tasks.map((t) => t.name).sort(), ['moby-fork: binary', 'moby-fork: dynbinary', 'moby-fork: slow', 'moby-fork: vet']);
      const result = await build();
      assert.strictEqual(result?.exitCode, 0, result?.error);
    });
  });

  it('reads a settings file with a syntax error as the CLI does: what parses is used, and the error is listed with its line', async () => {
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    const original = fs.readFileSync(settingsFile, 'utf8');
    // A missing comma after the first property, which VS Code itself reads past.
    const broken = original.replace(/^(\s*"dockerFork\.build\.privileged": false),$/m, '$1');
    assert.notStrictEqual(broken, original, 'the test workspace settings start with dockerFork.build.privileged');
    fs.writeFileSync(settingsFile, broken);
    try {
      const nodes = await until('the syntax error in the view', async () => {
        const all = await buildTargetNodes();
        return all.some((n) => n.type === 'error') && all;
      });
      assert.deepStrictEqual(nodes.filter((n) => n.type === 'target').map((n) => (n as { recipe: { id: string } }).recipe.id), ['binary', 'dynbinary', 'vet', 'slow']);
      const error = nodes.find((n) => n.type === 'error')!;
      assert.match(error.message, /a comma is missing/);
      assert.strictEqual(error.type === 'error' && error.problem?.line, 3);
    } finally {
      fs.writeFileSync(settingsFile, original);
    }
  });
});
