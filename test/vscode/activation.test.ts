import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DetectedRepository } from '../../src/core/repo/detect';
import type { DockerForkApi } from '../../src/extension';

const EXTENSION_ID = 'docker-fork-workbench.docker-fork-workbench';

/** Commands VS Code itself registers for each contributed view and container. */
const VIEW_COMMAND_SUFFIXES = ['focus', 'resetViewLocation', 'toggleVisibility', 'removeView', 'open'];

function extension(): vscode.Extension<DockerForkApi> {
  const ext = vscode.extensions.getExtension<DockerForkApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Docker Fork Workbench in a real VS Code extension host', () => {
  it('activates by itself on a workspace holding a Docker repository (workspaceContains)', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.strictEqual(folders.length, 1, 'the runner opens the fixture fork as the workspace');
    // Nothing here calls activate(): the workspaceContains event must do it.
    await until('activation', () => extension().isActive);
    assert.strictEqual(typeof extension().exports.activationMs, 'number');
    assert.ok(extension().exports.activationMs >= 0);
  });

  it('registers every contributed command, and contributes every command it registers', async () => {
    const contributed: string[] = extension().packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const viewIds: string[] = extension().packageJSON.contributes.views.dockerFork.map((v: { id: string }) => v.id);
    const generatedByVsCode = (id: string) => [...viewIds, 'dockerFork'].some((v) => VIEW_COMMAND_SUFFIXES.some((s) => id === `${v}.${s}`));
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('dockerFork.') && !generatedByVsCode(id));
    assert.deepStrictEqual([...new Set(registered)].sort(), [...contributed].sort());
  });

  it('round-trips Rescan Workspace: the command returns the fixture fork detected as moby', async () => {
    const repos = await vscode.commands.executeCommand<DetectedRepository[]>('dockerFork.repository.refresh');
    assert.ok(Array.isArray(repos));
    assert.deepStrictEqual(repos.map((r) => [r.name, r.kind, r.root]), [['moby-fork', 'moby', vscode.workspace.workspaceFolders![0].uri.fsPath]]);
    assert.ok(repos[0].markers.includes('hack/make.sh'));
  });

  it('follows the searchDepth setting: depth 0 still finds a fork at the workspace root', async () => {
    const config = vscode.workspace.getConfiguration('dockerFork');
    await config.update('repository.searchDepth', 0, vscode.ConfigurationTarget.Workspace);
    try {
      const repos = await vscode.commands.executeCommand<DetectedRepository[]>('dockerFork.repository.refresh');
      assert.strictEqual(repos.length, 1);
    } finally {
      await config.update('repository.searchDepth', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('shows the Docker Fork view container and each of its four views when focused', async () => {
    const views = extension().exports.ui.treeViews;
    const ids = ['dockerFork.machines', 'dockerFork.vendor', 'dockerFork.buildTargets', 'dockerFork.repository'];
    assert.deepStrictEqual(Object.keys(views).sort(), [...ids].sort(), 'every contributed view has a tree view');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await until('the views to be hidden with the Explorer shown', () => ids.every((id) => !views[id].visible));
    await vscode.commands.executeCommand('workbench.view.extension.dockerFork');
    for (const id of ids) {
      await vscode.commands.executeCommand(`${id}.focus`);
      await until(`${id} to be visible`, () => views[id].visible);
    }
  });

  it('opens its log (a LogOutputChannel) from Show Log, with the activation recorded in it', async () => {
    await vscode.commands.executeCommand('dockerFork.showLog');
    const doc = await until('the log to be open', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Docker Fork Workbench/.test(decodeURIComponent(d.uri.toString()))),
      10_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; open documents: ${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')}`);
    });
    await until('the activation line in the log', () => /activated in [\d.]+ ms/.test(doc.getText()));
  });
});
