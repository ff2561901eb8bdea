import * as path from 'path';
import * as vscode from 'vscode';
import { DetectedRepository } from '../core/repo/detect';
import { Dependency, listDependencies } from '../core/vendor';
import { WorkspaceRepositories } from '../workspaceRepositories';

export type VendorNode =
  | { type: 'repo'; repo: DetectedRepository }
  | { type: 'dependency'; root: string; dep: Dependency }
  | { type: 'changed'; root: string; dep: Dependency; file: string; summary: string }
  | { type: 'error'; root: string; message: string };

/** Waits this long after the last vendor-file change before listing again (a checkout changes many at once). */
const REFRESH_DELAY_MS = 300;

/**
 * The Vendored Dependencies view: every dependency of each Docker repository,
 * forked ones first, narrowed by a name filter; after a re-vendor, the files
 * under vendor/ that changed for a forked module.
 */
export class VendorView implements vscode.TreeDataProvider<VendorNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<VendorNode>;
  private filterText = '';
  private readonly lists = new Map<string, Promise<Dependency[]>>();
  /** Per repository root and module: the vendor/ files a re-vendor changed. */
  private readonly vendorChanges = new Map<string, Array<{ file: string; summary: string }>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly repos: WorkspaceRepositories) {
    this.treeView = vscode.window.createTreeView('dockerFork.vendor', { treeDataProvider: this, showCollapseAll: true });
    const watcher = vscode.workspace.createFileSystemWatcher('**/{vendor.conf,vendor.mod,go.mod}');
    const onChange = () => this.refreshSoon();
    this.disposables.push(this.treeView, watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange), repos.onDidChange(() => this.refresh()));
    // Saving from the editor is seen at once, before the file watcher's event arrives.
    this.disposables.push(vscode.workspace.onDidSaveTextDocument((d) => /(^|[\\/])(vendor\.conf|vendor\.mod|go\.mod)$/.test(d.fileName) && this.refresh()));
  }

  get filter(): string {
    return this.filterText;
  }

  /** Shows only dependencies whose module path contains `text` (case-insensitive); '' shows all. */
  setFilter(text: string): void {
    this.filterText = text.trim();
    this.treeView.description = this.filterText ? `filter: ${this.filterText}` : undefined;
    void vscode.commands.executeCommand('setContext', 'dockerFork.vendor.filtered', this.filterText !== '');
    this.changed.fire();
  }

  /** Lists every repository's dependencies again. */
  refresh(): void {
    clearTimeout(this.timer);
    this.lists.clear();
    this.changed.fire();
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  /** Records what a re-vendor changed under vendor/ for a module, shown under its node. */
  setVendorChanges(root: string, module: string, files: Array<{ file: string; summary: string }>): void {
    this.vendorChanges.set(`${root}\0${module}`, files);
    this.changed.fire();
  }

  /** The dependencies of a repository, forked first, then by module path (unfiltered). */
  dependencies(root: string): Promise<Dependency[]> {
    let list = this.lists.get(root);
    if (!list) {
      list = listDependencies(root).then((deps) => [...deps].sort((a, b) => Number(b.forked) - Number(a.forked) || a.module.localeCompare(b.module) || a.file.localeCompare(b.file)));
      this.lists.set(root, list);
    }
    return list;
  }

  async getChildren(node?: VendorNode): Promise<VendorNode[]> {
    if (!node) {
      const repos = await this.repos.get();
      const nodes = repos.length === 1 ? await this.dependencyNodes(repos[0].root) : repos.map((repo): VendorNode => ({ type: 'repo', repo }));
      this.treeView.message = this.filterText && repos.length > 0 && nodes.length === 0 ? `No dependency matches '${this.filterText}'.` : undefined;
      return nodes;
    }
    if (node.type === 'repo') return this.dependencyNodes(node.repo.root);
    if (node.type === 'dependency') {
      return (this.vendorChanges.get(`${node.root}\0${node.dep.module}`) ?? []).map((c) => ({ type: 'changed', root: node.root, dep: node.dep, ...c }));
    }
    return [];
  }

  private async dependencyNodes(root: string): Promise<VendorNode[]> {
    let deps: Dependency[];
    try {
      deps = await this.dependencies(root);
    } catch (e) {
      return [{ type: 'error', root, message: e instanceof Error ? e.message : String(e) }];
    }
    const needle = this.filterText.toLowerCase();
    return deps.filter((d) => d.module.toLowerCase().includes(needle)).map((dep) => ({ type: 'dependency', root, dep }));
  }

  getTreeItem(node: VendorNode): vscode.TreeItem {
    switch (node.type) {
      case 'repo': {
        const item = new vscode.TreeItem(node.repo.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('repo');
        item.contextValue = 'node=repository';
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message);
        item.iconPath = new vscode.ThemeIcon('error');
        item.contextValue = 'node=error';
        return item;
      }
      case 'changed': {
        const item = new vscode.TreeItem(node.file);
        item.description = node.summary;
        item.iconPath = new vscode.ThemeIcon('diff');
        item.resourceUri = vscode.Uri.file(path.join(node.root, node.file));
        item.contextValue = 'node=vendorChange';
        item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
        return item;
      }
      case 'dependency': {
        const { dep } = node;
        const hasChanges = (this.vendorChanges.get(`${node.root}\0${dep.module}`) ?? []).length > 0;
        const item = new vscode.TreeItem(dep.module, hasChanges ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.root}\0${dep.file}\0${dep.module}\0${dep.line}`;
        // docker-ce lists a module once per component: say which one when the file is not at the root.
        const component = dep.file.includes('/') ? dep.file.slice(0, dep.file.lastIndexOf('/')) : null;
        const parts = dep.forked ? [`fork: ${dep.source}`, dep.version] : [dep.version, dep.source ? `→ ${dep.source}` : null, dep.indirect ? 'indirect' : null];
        item.description = [...parts, component].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(dep.forked ? 'repo-forked' : 'package');
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${dep.module}**${dep.forked ? ' — forked' : ''}\n\n`);
        md.appendMarkdown(`- ref: \`${dep.version ?? '(any)'}\`\n- source: ${dep.source ? `\`${dep.source}\`` : 'upstream (the import path)'}\n- ${dep.file}:${dep.replaceLine ?? dep.line}\n`);
        item.tooltip = md;
        item.contextValue = `node=dependency,forked=${dep.forked}`;
        item.command = { command: 'dockerFork.vendor.openInFile', title: 'Open in File', arguments: [node] };
        return item;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
