import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DockerForkApi } from '../../src/extension';
import type { VendorCommandResult } from '../../src/vendor/vendorCommands';
import type { VendorNode } from '../../src/vendor/vendorView';
import { SAMPLE_FORKED_LINE } from '../runners/workspace';
import { until } from './helpers';

function api(): DockerForkApi {
  return vscode.extensions.getExtension<DockerForkApi>('docker-fork-workbench.docker-fork-workbench')!.exports;
}


type DependencyNode = Extract<VendorNode, { type: 'dependency' }>;

async function dependencyNodes(): Promise<DependencyNode[]> {
  const nodes = await api().ui.vendor.getChildren();
  return nodes.filter((n): n is DependencyNode => n.type === 'dependency');
}

const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const confPath = () => path.join(workspaceRoot(), 'vendor.conf');
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

/** The import paths of a vendor.conf (with a fork: those with a third field), read with a plain split, independent of the parser under test. */
function importPathsOf(text: string, forkedOnly = false): string[] {
  const rows = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => l.split(/\s+/));
  return rows.filter((r) => !forkedOnly || r.length === 3).map((r) => r[0]);
}

async function codeActions(uri: vscode.Uri, line: number): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 0))) ?? [];
}

function lineOf(doc: vscode.TextDocument, prefix: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.startsWith(`${prefix} `)) return i;
  throw new Error(`no line for ${prefix}`);
}

describe('vendored dependencies in VS Code (view, diagnostics, hover, Use Fork, Reset)', function () {
  this.timeout(120_000);
  let forkRepo: string;
  let forkCommit: string;
  let scratch: string;

  before(() => {
    // A real fork repository the extension reaches with git ls-remote: a local one, so no network is needed.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-vendor-test-'));
    forkRepo = path.join(scratch, 'context-fork');
    fs.mkdirSync(forkRepo);
    git(forkRepo, 'init', '-q');
    fs.writeFileSync(path.join(forkRepo, 'context.go'), 'package context\n');
    git(forkRepo, 'add', '-A');
    git(forkRepo, 'commit', '-q', '-m', 'fork');
    git(forkRepo, 'branch', 'feature');
    forkCommit = git(forkRepo, 'rev-parse', 'feature');
  });

  /** The sample as committed: no unsaved edit, vendor.conf as HEAD has it, no filter, the view showing it. */
  async function sampleAsCommitted(): Promise<void> {
    for (const doc of vscode.workspace.textDocuments) {
      if (!doc.isDirty || doc.uri.scheme !== 'file') continue;
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    git(workspaceRoot(), 'checkout', 'HEAD', '--', 'vendor.conf');
    await vscode.commands.executeCommand('dockerFork.vendor.clearFilter');
    const committed = fs.readFileSync(confPath(), 'utf8');
    await until('the view to show vendor.conf as committed', async () => {
      const nodes = await dependencyNodes();
      const forked = nodes.filter((n) => n.dep.forked).map((n) => n.dep.module).sort();
      return nodes.length === importPathsOf(committed).length && JSON.stringify(forked) === JSON.stringify(importPathsOf(committed, true).sort());
    });
  }

  // Every test starts from the committed sample, so each one passes alone and in any order.
  beforeEach(() => sampleAsCommitted());

  after(async () => {
    await sampleAsCommitted();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('lists every vendor.conf dependency, forked ones first and marked with their fork', async () => {
    const nodes = await until('the view to list dependencies', async () => ((await dependencyNodes()).length > 0 ? dependencyNodes() : undefined));
    const onDisk = importPathsOf(fs.readFileSync(confPath(), 'utf8'));
    assert.deepStrictEqual(nodes.map((n) => n.dep.module).sort(), [...onDisk].sort());
    const forked = nodes.filter((n) => n.dep.forked).map((n) => n.dep.module);
    assert.ok(forked.includes(SAMPLE_FORKED_LINE.module));
    assert.deepStrictEqual(forked.sort(), importPathsOf(fs.readFileSync(confPath(), 'utf8'), true).sort());
    assert.ok(nodes.slice(0, forked.length).every((n) => n.dep.forked), 'forked dependencies come first');
    const mux = api().ui.vendor.getTreeItem(nodes.find((n) => n.dep.module === SAMPLE_FORKED_LINE.module)!);
    assert.match(String(mux.description), /^fork: https:\/\/git\.example\.org\/sample\/mux\.git/);
    assert.strictEqual(mux.contextValue, 'node=dependency,forked=true');
    assert.strictEqual((mux.iconPath as vscode.ThemeIcon).id, 'repo-forked');
    const plain = api().ui.vendor.getTreeItem(nodes.find((n) => n.dep.module === 'github.com/gorilla/context')!);
    assert.strictEqual(plain.description, 'v1.1');
    assert.strictEqual(plain.contextValue, 'node=dependency,forked=false');
  });

  it('narrows the view by name and clears the filter', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('dockerFork.vendor.filter', 'GORILLA'), 'GORILLA');
    const narrowed = await dependencyNodes();
    assert.deepStrictEqual(narrowed.map((n) => n.dep.module).sort(), ['github.com/gorilla/context', 'github.com/gorilla/mux']);
    assert.strictEqual(api().ui.vendor.treeView.description, 'filter: GORILLA');
    await vscode.commands.executeCommand('dockerFork.vendor.filter', 'no-such-module');
    assert.deepStrictEqual(await dependencyNodes(), []);
    assert.match(String(api().ui.vendor.treeView.message), /No dependency matches 'no-such-module'/);
    await vscode.commands.executeCommand('dockerFork.vendor.clearFilter');
    assert.strictEqual(api().ui.vendor.treeView.description, undefined);
    assert.strictEqual((await dependencyNodes()).length, importPathsOf(fs.readFileSync(confPath(), 'utf8')).length);
  });

  it('opens vendor.conf as the vendor.conf language and reports a malformed line at its line number', async () => {
    const doc = await vscode.workspace.openTextDocument(confPath());
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'vendor-conf');
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri), [], 'the sample vendor.conf is clean');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(3, 0), 'github.com/broken/onefield\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const diags = await until('a diagnostic for the malformed line', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 ? d : undefined;
    });
    assert.strictEqual(diags.length, 1);
    assert.strictEqual(diags[0].range.start.line, 3);
    assert.strictEqual(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(diags[0].message, /expected 2 or 3 fields/);
  });

  it('hovers an entry with its ref, commit, fork and what upstream pins', async () => {
    const doc = await vscode.workspace.openTextDocument(confPath());
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(lineOf(doc, SAMPLE_FORKED_LINE.module), 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /github\.com\/gorilla\/mux.*fork/);
    assert.match(text, /ref: `v1\.1-fork`/);
    assert.match(text, /source: `https:\/\/git\.example\.org\/sample\/mux\.git`/);
    assert.match(text, /upstream \(upstream\/main\): `v1\.1`/);
    const check = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(lineOf(doc, 'github.com/go-check/check'), 2));
    const checkText = check.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(checkText, /commit: `4ed411733c5785b40214c70bce814c3a3a689609`/);
  });

  it('"Use Fork…" from the quick fix edits exactly that line of the open, unsaved document', async () => {
    const doc = await vscode.workspace.openTextDocument(confPath());
    await vscode.window.showTextDocument(doc);
    const unsaved = new vscode.WorkspaceEdit();
    unsaved.insert(doc.uri, new vscode.Position(3, 0), 'github.com/broken/onefield\n');
    assert.ok(await vscode.workspace.applyEdit(unsaved));
    assert.ok(doc.isDirty, 'an unsaved edit elsewhere in the file');
    const before = doc.getText().split('\n');
    const line = lineOf(doc, 'github.com/gorilla/context');
    const action = (await codeActions(doc.uri, line)).find((a) => a.title === 'Use Fork of github.com/gorilla/context…');
    assert.ok(action?.command, 'a Use Fork action on the line');
    const result = await vscode.commands.executeCommand<VendorCommandResult>(action.command.command, ...(action.command.arguments ?? []), { repo: forkRepo, ref: 'feature' });
    assert.deepStrictEqual(result.changedLines, [line + 1]);
    assert.strictEqual(result.inEditor, true);
    const after = doc.getText().split('\n');
    assert.strictEqual(after.length, before.length);
    for (let i = 0; i < before.length; i++) {
      if (i === line) assert.strictEqual(after[i], `github.com/gorilla/context ${forkCommit} ${forkRepo}`, 'the branch is pinned to its commit, with the fork as third field');
      else assert.strictEqual(after[i], before[i], `line ${i + 1} is untouched`);
    }
    assert.ok(doc.isDirty, 'unsaved changes stay unsaved');
    assert.ok(!fs.readFileSync(confPath(), 'utf8').includes(forkRepo), 'nothing was written behind the editor');
  });

  it('shows the saved fork first in the view, and resets entries from the upstream remote copy', async () => {
    // Use Fork from the view, with no unsaved edit: it lands in the file.
    const contextNode = (await dependencyNodes()).find((n) => n.dep.module === 'github.com/gorilla/context')!;
    const forkedResult = await vscode.commands.executeCommand<VendorCommandResult>('dockerFork.vendor.useFork', contextNode, { repo: forkRepo, ref: 'feature' });
    assert.deepStrictEqual(forkedResult.changedLines, [contextNode.dep.line]);
    await until('the fork to be saved in vendor.conf', () => fs.readFileSync(confPath(), 'utf8').includes(`github.com/gorilla/context ${forkCommit} ${forkRepo}\n`));
    const doc = await vscode.workspace.openTextDocument(confPath());
    await vscode.window.showTextDocument(doc);
    const context = await until('the view to show the fork of github.com/gorilla/context', async () => (await dependencyNodes()).find((n) => n.dep.module === 'github.com/gorilla/context' && n.dep.forked));
    const nodes = await dependencyNodes();
    assert.ok(nodes.indexOf(context) < nodes.findIndex((n) => !n.dep.forked), 'the new fork is listed among the forked, first');
    assert.match(String(api().ui.vendor.getTreeItem(context).description), new RegExp(`^fork: ${forkRepo.replace(/[/.]/g, '\\$&')}`));

    // Reset from the view node: the open document gets upstream's line and, having no unsaved changes, is saved.
    const mux = nodes.find((n) => n.dep.module === SAMPLE_FORKED_LINE.module)!;
    const muxLine = lineOf(doc, SAMPLE_FORKED_LINE.module);
    const textBefore = doc.getText().split('\n');
    const result = await vscode.commands.executeCommand<VendorCommandResult>('dockerFork.vendor.reset', mux);
    assert.deepStrictEqual(result.changedLines, [muxLine + 1]);
    const textAfter = doc.getText().split('\n');
    assert.deepStrictEqual(textAfter, textBefore.map((l, i) => (i === muxLine ? SAMPLE_FORKED_LINE.upstream : l)));
    assert.ok(!doc.isDirty);
    assert.ok(fs.readFileSync(confPath(), 'utf8').includes(`\n${SAMPLE_FORKED_LINE.upstream}\n`));

    // With the editor closed, the reset lands in the file all the same.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('dockerFork.vendor.reset', context);
    const upstreamText = git(workspaceRoot(), 'show', 'upstream/main:vendor.conf');
    await until('vendor.conf to be upstream\'s copy again', () => fs.readFileSync(confPath(), 'utf8') === upstreamText + '\n' || fs.readFileSync(confPath(), 'utf8') === upstreamText);
    const forkedNow = await until('the view to drop the reset forks', async () => {
      const all = await dependencyNodes();
      return all.some((n) => n.dep.module === 'github.com/gorilla/context' && !n.dep.forked) && !all.some((n) => n.dep.module === SAMPLE_FORKED_LINE.module && n.dep.forked) ? all : undefined;
    });
    assert.deepStrictEqual(forkedNow.filter((n) => n.dep.forked).map((n) => n.dep.module).sort(), importPathsOf(upstreamText, true).sort());
  });

  it('opens an entry at its line from the view, and refuses an unreachable fork without touching the file', async () => {
    const node = (await dependencyNodes()).find((n) => n.dep.module === 'github.com/kr/pty')!;
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('dockerFork.vendor.openInFile', node);
    assert.strictEqual(editor.document.uri.fsPath, confPath());
    assert.strictEqual(editor.selection.active.line, node.dep.line - 1);
    assert.ok(editor.document.lineAt(node.dep.line - 1).text.startsWith('github.com/kr/pty '));
    const before = fs.readFileSync(confPath(), 'utf8');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('dockerFork.vendor.useFork', node, { repo: path.join(scratch, 'no-such-repo'), ref: 'main' })),
      /cannot reach repository .*no-such-repo/,
    );
    assert.strictEqual(editor.document.getText(), before, 'the open document is untouched');
    assert.ok(!editor.document.isDirty);
    assert.strictEqual(fs.readFileSync(confPath(), 'utf8'), before);
  });

  it('after a vendor build, shows under a forked dependency the files it changed under vendor/', async function () {
    // A stand-in for hack/vendor.sh (the real one needs vndr or Go and the network): a user target
    // with the id `vendor`, run in a container by the real build engine, writing one vendored file.
    const config = vscode.workspace.getConfiguration('dockerFork');
    const targets = config.get<unknown[]>('targets') ?? [];
    const module = 'github.com/go-check/check';
    const script = `mkdir -p vendor/${module} && printf 'package check\\n' > vendor/${module}/fork.go`;
    await config.update('targets', [...targets, { id: 'vendor', command: ['sh', '-c', script], image: 'dfw-base:bookworm' }], vscode.ConfigurationTarget.Workspace);
    try {
      const result = await vscode.commands.executeCommand<{ exitCode?: number; error?: string }>('dockerFork.build.run', { target: 'vendor' });
      assert.strictEqual(result?.exitCode, 0, result?.error);
      const node = (await dependencyNodes()).find((n) => n.dep.module === module)!;
      const children = await until('the changed vendor files under the dependency', async () => {
        const c = await api().ui.vendor.getChildren((await dependencyNodes()).find((n) => n.dep.module === module));
        return c.length > 0 ? c : undefined;
      });
      assert.deepStrictEqual(children.map((c) => (c.type === 'changed' ? [c.file, c.summary] : c.type)), [[`vendor/${module}/fork.go`, 'added']]);
      assert.strictEqual(api().ui.vendor.getTreeItem(node).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      // Dependencies the build did not touch show nothing.
      const other = (await dependencyNodes()).find((n) => n.dep.forked && n.dep.module !== module)!;
      assert.deepStrictEqual(await api().ui.vendor.getChildren(other), []);
    } finally {
      await config.update('targets', targets, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(path.join(workspaceRoot(), 'vendor'), { recursive: true, force: true });
    }
  });

  it('gives vendor.mod the same diagnostics and a Use Fork that writes a replace line', async () => {
    const dir = path.join(scratch, 'mod');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'vendor.mod');
    fs.writeFileSync(file, 'module github.com/docker/docker\n\ngo 1.21\n\nrequire (\n\tgithub.com/containerd/containerd v1.7.0\n\tgithub.com/moby/swarmkit/v2 v2.0.0\n)\n\nreplace github.com/moby/swarmkit/v2 => github.com/me/swarmkit/v2\n');
    const doc = await vscode.workspace.openTextDocument(file);
    const diags = await until('a diagnostic for the replace without a version', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 ? d : undefined;
    });
    assert.deepStrictEqual(diags.map((d) => d.range.start.line), [9]);
    assert.match(diags[0].message, /has no version/);
    const action = (await codeActions(doc.uri, 5)).find((a) => a.title === 'Use Fork of github.com/containerd/containerd…');
    assert.ok(action?.command);
    const result = await vscode.commands.executeCommand<VendorCommandResult>(action.command.command, ...(action.command.arguments ?? []), {
      repo: 'https://github.com/me/containerd.git',
      version: 'v1.7.1-0.20240101000000-abcdefabcdef',
      offline: true,
    });
    assert.strictEqual(result.inEditor, true);
    const text = doc.getText();
    assert.ok(text.includes('replace github.com/containerd/containerd => github.com/me/containerd v1.7.1-0.20240101000000-abcdefabcdef\n'), text);
    assert.ok(text.startsWith('module github.com/docker/docker\n\ngo 1.21\n\nrequire (\n\tgithub.com/containerd/containerd v1.7.0\n'), 'the require block is untouched');
  });
});
