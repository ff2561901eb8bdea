import * as path from 'path';
import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import { Artifact } from '../core/build/events';
import { BuildRecord } from '../core/build/history';
import { BuildRecipe, imageName } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';
import { formatProblem, SettingsProblem } from '../core/repo/workspaceSettings';
import { formatAge, formatDuration, formatSize } from '../format';
import { WorkspaceRepositories } from '../workspaceRepositories';

export type BuildTargetsNode =
  | { readonly type: 'repo'; readonly repo: DetectedRepository }
  | { readonly type: 'target'; readonly repo: DetectedRepository; readonly recipe: BuildRecipe; readonly last?: BuildRecord }
  | { readonly type: 'artifact'; readonly repo: DetectedRepository; readonly artifact: Artifact }
  /** A settings problem (a bad `dockerFork.targets` entry, a syntax error), listed beside the targets that could be made. */
  | { readonly type: 'error'; readonly message: string; readonly problem?: SettingsProblem };

const RESULT_ICONS: Record<BuildRecord['result'], vscode.ThemeIcon> = {
  succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  'no-artifacts': new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/** How a result reads in the tree. */
export const RESULT_TEXT: Record<BuildRecord['result'], string> = {
  succeeded: 'succeeded',
  'no-artifacts': 'no artifacts',
  failed: 'failed',
  error: 'error',
  cancelled: 'cancelled',
};

/** Build Targets: repositories, their targets (state, last result), and the last build's artifacts. */
export class BuildTargetsView implements vscode.TreeDataProvider<BuildTargetsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly repos: WorkspaceRepositories, private readonly builds: BuildService) {
    this.subscriptions = [repos.onDidChange(() => this.changed.fire()), builds.onDidChange(() => this.changed.fire()), vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dockerFork') && this.changed.fire())];
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(node?: BuildTargetsNode): Promise<BuildTargetsNode[]> {
    if (!node) {
      const repos = await this.repos.get();
      return repos.length === 1 ? this.getChildren({ type: 'repo', repo: repos[0] }) : repos.map((repo) => ({ type: 'repo', repo }));
    }
    if (node.type === 'repo') {
      const { recipes, problems } = await this.builds.targets(node.repo);
      const latest = await this.builds.history.latest(node.repo.root);
      return [
        ...recipes.map((recipe): BuildTargetsNode => ({ type: 'target', repo: node.repo, recipe, last: latest.get(recipe.id) })),
        ...problems.map((problem): BuildTargetsNode => ({ type: 'error', message: problem.message, problem })),
      ];
    }
    if (node.type === 'target') return (node.last?.artifacts ?? []).map((artifact) => ({ type: 'artifact', repo: node.repo, artifact }));
    return [];
  }

  getTreeItem(node: BuildTargetsNode): vscode.TreeItem {
    switch (node.type) {
      case 'repo': {
        const item = new vscode.TreeItem(node.repo.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('repo');
        item.contextValue = 'node=repository';
        return item;
      }
      case 'target':
        return this.targetItem(node);
      case 'artifact': {
        const a = node.artifact;
        const item = new vscode.TreeItem(path.basename(a.path), vscode.TreeItemCollapsibleState.None);
        item.description = `${formatSize(a.size)}${a.version ? ` · ${a.version}` : ''}`;
        item.tooltip = new vscode.MarkdownString(`\`${a.relativePath}\`\n\n${formatSize(a.size)}\n\nsha256 \`${a.sha256}\`${a.version ? `\n\n${a.version}` : ''}`);
        item.iconPath = new vscode.ThemeIcon('file-binary');
        item.resourceUri = vscode.Uri.file(a.path);
        item.contextValue = 'node=artifact';
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        const p = node.problem;
        item.tooltip = p ? `${formatProblem(p)}\n\nThe other targets are listed as usual. Click to open the file.` : node.message;
        if (p) {
          item.description = `${path.basename(path.dirname(p.file))}/${path.basename(p.file)}${p.line ? `:${p.line}` : ''}`;
          const line = Math.max(0, (p.line ?? 1) - 1);
          item.command = { command: 'vscode.open', title: 'Open Settings File', arguments: [vscode.Uri.file(p.file), { selection: new vscode.Range(line, 0, line, 0) }] };
        }
        item.contextValue = 'node=error';
        return item;
      }
    }
  }

  private targetItem(node: Extract<BuildTargetsNode, { type: 'target' }>): vscode.TreeItem {
    const { recipe, last } = node;
    const running = this.builds.runningIn(node.repo.root);
    const building = running?.recipe.id === recipe.id;
    const item = new vscode.TreeItem(recipe.label, last?.artifacts.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const parts: string[] = [];
    if (recipe.isDefault) parts.push('default');
    if (building) parts.push(running.progress?.label ?? 'building…');
    else if (last) parts.push(`${RESULT_TEXT[last.result] ?? last.result} · ${formatDuration(last.durationMs)} · ${formatAge(last.startedAt + last.durationMs)}`);
    item.description = parts.join(' · ');
    item.iconPath = building ? new vscode.ThemeIcon('sync~spin') : last ? RESULT_ICONS[last.result] ?? new vscode.ThemeIcon('history') : new vscode.ThemeIcon(recipe.isDefault ? 'star-full' : 'tools');
    const where = recipe.executor === 'container' ? `in \`${imageName(recipe.image)}\`${recipe.privileged ? ' (privileged)' : ''}` : 'on this machine';
    item.tooltip = new vscode.MarkdownString(`**${recipe.label}** — ${recipe.description}\n\n\`${recipe.command.join(' ')}\` ${where}\n\nArtifacts: ${recipe.artifacts.map((a) => `\`${a}\``).join(', ') || 'none'}${last?.error ? `\n\nLast error: ${last.error}` : ''}${last?.result === 'no-artifacts' ? '\n\nThe last build succeeded but none of these artifacts were there.' : ''}`);
    item.contextValue = `node=target,state=${building ? 'building' : 'idle'}${recipe.isDefault ? ',default' : ''}`;
    return item;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
