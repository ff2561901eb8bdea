import * as path from 'path';
import * as vscode from 'vscode';
import { DetectedRepository } from '../core/repo/detect';
import { KIND_LABELS } from '../core/repo/repositoryKind';
import { WorkspaceRepositories } from '../workspaceRepositories';

type Node = { type: 'repo'; repo: DetectedRepository } | { type: 'marker'; repo: DetectedRepository; marker: string };

/** The Repository view: each Docker tree in the workspace and the files that identify it. */
export class RepositoryView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly repos: WorkspaceRepositories) {
    this.subscription = repos.onDidChange(() => this.changed.fire());
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (await this.repos.get()).map((repo) => ({ type: 'repo', repo }));
    if (node.type === 'repo') return node.repo.markers.map((marker) => ({ type: 'marker', repo: node.repo, marker }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'repo') {
      const item = new vscode.TreeItem(node.repo.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = KIND_LABELS[node.repo.kind];
      item.tooltip = new vscode.MarkdownString(`**${node.repo.name}** — ${KIND_LABELS[node.repo.kind]}\n\n\`${node.repo.root}\``);
      item.iconPath = new vscode.ThemeIcon('repo');
      item.resourceUri = vscode.Uri.file(node.repo.root);
      item.contextValue = `node=repository,kind=${node.repo.kind}`;
      return item;
    }
    const uri = vscode.Uri.file(path.join(node.repo.root, node.marker));
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    item.label = node.marker;
    item.contextValue = 'node=marker';
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
