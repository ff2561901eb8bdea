import * as vscode from 'vscode';
import { Dependency, forkDependency, listDependencies, resetDependency, VendorGitError, vendorFileKind } from '../core/vendor';
import { forkInText, lineReplacement, resetInText } from '../core/vendor/documentEdit';
import { WorkspaceRepositories } from '../workspaceRepositories';
import { openDocument, repositoryRootOf } from './vendorDocuments';
import { VendorView } from './vendorView';

/** What the commands act on: a node of the view, or a file and module (from a quick fix or a test). */
export type DependencyTarget = { dep: Pick<Dependency, 'path' | 'module' | 'line'> } | Pick<Dependency, 'path' | 'module' | 'line'>;

/** Answers that skip the input boxes (for scripts and tests). */
export interface UseForkAnswers {
  repo?: string;
  ref?: string;
  /** Write without reaching the fork (vendor.conf only; a module file needs `version`). */
  offline?: boolean;
  version?: string;
}

/** What a fork or reset did to one file: its path and the lines changed or removed. */
export interface VendorCommandResult {
  path: string;
  changedLines: number[];
  removedLines: number[];
  /** True when the edit went into the open editor's buffer rather than straight to disk. */
  inEditor: boolean;
  warnings: string[];
}

function targetOf(arg: DependencyTarget): Pick<Dependency, 'path' | 'module' | 'line'> {
  return 'dep' in arg ? arg.dep : arg;
}

/**
 * Puts new text into an open document, replacing only the lines that differ
 * (unsaved changes elsewhere stay, and it is one undo step). A document that
 * had no unsaved changes is saved, so the file, the view and a build agree.
 */
async function applyToDocument(doc: vscode.TextDocument, text: string): Promise<void> {
  const wasDirty = doc.isDirty;
  const r = lineReplacement(doc.getText(), text);
  if (!r) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end)), r.text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${vscode.workspace.asRelativePath(doc.uri)} could not be edited`);
  if (!wasDirty) await doc.save();
}

export function registerVendorCommands(repos: WorkspaceRepositories, view: VendorView, log: vscode.LogOutputChannel): vscode.Disposable[] {
  async function pickDependency(placeHolder: string, onlyForked = false): Promise<Dependency | undefined> {
    const deps = (await Promise.all((await repos.get()).map((r) => listDependencies(r.root).catch(() => [])))).flat().filter((d) => !onlyForked || d.forked);
    if (deps.length === 0) {
      void vscode.window.showInformationMessage(onlyForked ? 'No dependency is pointed at a fork.' : 'No vendored dependencies found in this workspace.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      deps.map((d) => ({ label: d.module, description: d.forked ? `fork: ${d.source}` : d.version ?? '', detail: `${d.file}:${d.line}`, dep: d })),
      { placeHolder, matchOnDescription: true },
    );
    return pick?.dep;
  }

  async function useFork(arg?: DependencyTarget, answers: UseForkAnswers = {}): Promise<VendorCommandResult | undefined> {
    const target = arg ? targetOf(arg) : await pickDependency('Dependency to point at a fork');
    if (!target) return undefined;
    const repo =
      answers.repo ??
      (await vscode.window.showInputBox({
        title: `Use Fork of ${target.module}`,
        prompt: 'Repository URL of the fork',
        placeHolder: 'https://github.com/you/project.git',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Give the repository URL of the fork' : /\s/.test(v.trim()) ? 'A repository URL has no spaces' : undefined),
      }));
    if (repo === undefined) return undefined;
    let ref = answers.ref;
    if (answers.repo === undefined) {
      ref = await vscode.window.showInputBox({
        title: `Use Fork of ${target.module}`,
        prompt: 'Branch, tag or commit of the fork (leave empty to keep the pinned ref, or use the fork\'s HEAD for modules); a branch is pinned to its current commit',
        ignoreFocusOut: true,
      });
      if (ref === undefined) return undefined;
    }
    const options = { repo: repo.trim(), ref: ref?.trim() || undefined, offline: answers.offline, version: answers.version };
    try {
      return await runFork(target, options);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`Use Fork of ${target.module}: ${message}`);
      const canWriteOffline = e instanceof VendorGitError && vendorFileKind(target.path) === 'vendor.conf' && !options.offline;
      if (answers.repo !== undefined) throw e;
      const choice = await vscode.window.showErrorMessage(message, ...(canWriteOffline ? ['Write Without Checking'] : []));
      if (choice === 'Write Without Checking') return runFork(target, { ...options, offline: true });
      return undefined;
    }
  }

  async function runFork(target: Pick<Dependency, 'path' | 'module'>, options: { repo: string; ref?: string; offline?: boolean; version?: string }): Promise<VendorCommandResult> {
    const kind = vendorFileKind(target.path);
    if (!kind) throw new Error(`${target.path} is not a vendor file`);
    const root = await repositoryRootOf(repos, target.path);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pointing ${target.module} at ${options.repo}…` }, async () => {
      const doc = openDocument(target.path);
      let result: VendorCommandResult;
      if (doc) {
        const version = doc.version;
        const r = await forkInText(kind, doc.getText(), target.path, target.module, options);
        if (doc.version !== version) throw new Error(`${vscode.workspace.asRelativePath(doc.uri)} changed while the fork was being resolved; nothing was written, run Use Fork again`);
        await applyToDocument(doc, r.text);
        result = { path: target.path, changedLines: r.changedLines, removedLines: r.removedLines, inEditor: true, warnings: r.warnings };
        if (r.resolved) log.info(`${target.module}: ${r.resolved.url} ${r.resolved.ref} is ${r.resolved.commit}${r.version ? ` (${r.version})` : ''}`);
      } else {
        const r = await forkDependency(root, target.module, { ...options, file: target.path });
        const edit = r.edits[0];
        result = { path: target.path, changedLines: edit.changedLines, removedLines: edit.removedLines, inEditor: false, warnings: r.warnings };
      }
      for (const w of result.warnings) void vscode.window.showWarningMessage(w);
      view.refresh();
      return result;
    });
  }

  async function reset(arg?: DependencyTarget): Promise<VendorCommandResult | undefined> {
    const target = arg ? targetOf(arg) : await pickDependency('Dependency to reset to upstream', true);
    if (!target) return undefined;
    const kind = vendorFileKind(target.path);
    if (!kind) throw new Error(`${target.path} is not a vendor file`);
    const root = await repositoryRootOf(repos, target.path);
    try {
      const doc = openDocument(target.path);
      let result: VendorCommandResult;
      if (doc) {
        const r = await resetInText(root, kind, doc.getText(), target.path, target.module);
        await applyToDocument(doc, r.text);
        result = { path: target.path, changedLines: r.changedLines, removedLines: r.removedLines, inEditor: true, warnings: [] };
      } else {
        const r = await resetDependency(root, target.module, { file: target.path });
        result = { path: target.path, changedLines: r.edits[0].changedLines, removedLines: r.edits[0].removedLines, inEditor: false, warnings: [] };
      }
      view.refresh();
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`Reset ${target.module} to upstream: ${message}`);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  async function open(arg?: DependencyTarget): Promise<vscode.TextEditor | undefined> {
    const target = arg ? targetOf(arg) : await pickDependency('Dependency to open');
    if (!target) return undefined;
    // A forked module is shown at its replace line, where the fork is named.
    const full = target as Partial<Dependency> & { line: number };
    const line = Math.max(0, (full.forked && full.replaceLine ? full.replaceLine : full.line) - 1);
    const range = new vscode.Range(line, 0, line, 0);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(target.path), { selection: range, preview: true });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return editor;
  }

  async function filter(text?: string): Promise<string | undefined> {
    const value =
      text ??
      (await vscode.window.showInputBox({ title: 'Filter Vendored Dependencies', prompt: 'Show dependencies whose module path contains this text (empty shows all)', value: view.filter }));
    if (value === undefined) return undefined;
    view.setFilter(value);
    return view.filter;
  }

  return [
    // Not `dockerFork.vendor.open`: VS Code itself registers `<view id>.open` to open the view.
    vscode.commands.registerCommand('dockerFork.vendor.useFork', useFork),
    vscode.commands.registerCommand('dockerFork.vendor.reset', reset),
    vscode.commands.registerCommand('dockerFork.vendor.openInFile', open),
    vscode.commands.registerCommand('dockerFork.vendor.filter', filter),
    vscode.commands.registerCommand('dockerFork.vendor.clearFilter', () => view.setFilter('')),
    vscode.commands.registerCommand('dockerFork.vendor.refresh', () => view.refresh()),
  ];
}
