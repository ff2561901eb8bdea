import * as path from 'path';
import * as vscode from 'vscode';
import { RemoteInfo, repositoryStatus, RepositoryStatus } from '../core/git';
import { DetectedRepository } from '../core/repo/detect';
import { KIND_LABELS } from '../core/repo/repositoryKind';
import { WorkspaceRepositories } from '../workspaceRepositories';

/** A Docker tree of the workspace with its git status (null when it is not a git work tree, or git failed). */
export type RepositoryNode = { type: 'repo'; repo: DetectedRepository; status: RepositoryStatus | null; statusError?: string };

export type RepositoryViewNode =
  | RepositoryNode
  | { type: 'head'; repo: DetectedRepository; status: RepositoryStatus }
  | { type: 'changes'; repo: DetectedRepository; status: RepositoryStatus }
  | { type: 'comparison'; repo: DetectedRepository; status: RepositoryStatus }
  | { type: 'remote'; repo: DetectedRepository; remote: RemoteInfo }
  | { type: 'marker'; repo: DetectedRepository; marker: string };

const ROLE_LABELS: Record<RemoteInfo['role'], string> = { fork: 'your fork', upstream: 'upstream', other: 'other' };

/** One line for HEAD: the branch, or the detached commit with its tags. */
export function headLabel(s: RepositoryStatus): string {
  if (!s.head.commit) return s.head.branch ? `${s.head.branch} (no commits)` : 'no commits';
  if (s.head.branch) return s.head.branch;
  return `detached at ${s.head.commit.slice(0, 12)}${s.head.tags.length ? ` (${s.head.tags.join(', ')})` : ''}`;
}

export function changesLabel(s: RepositoryStatus): string {
  return s.dirty.changedFiles === 0 ? 'no changes' : `${s.dirty.changedFiles} changed file${s.dirty.changedFiles === 1 ? '' : 's'}`;
}

export function comparisonLabel(s: RepositoryStatus): string {
  const c = s.upstreamComparison;
  if (!c) return s.upstreamRemote ? `${s.upstreamRemote}: not fetched yet` : 'no upstream remote';
  return `${c.ahead} ahead, ${c.behind} behind ${c.ref}`;
}

/**
 * The Repository view: each Docker tree in the workspace with its kind and
 * era, where HEAD is, uncommitted changes, remotes by role and how far it is
 * from the upstream; then the files that identify it. Reads git only (no
 * network), so it works in Restricted Mode; refreshes when HEAD, refs or the
 * index change, and on Rescan Workspace.
 */
export class RepositoryView implements vscode.TreeDataProvider<RepositoryViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private watchers: vscode.Disposable[] = [];
  private watchedRoots = '';
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly repos: WorkspaceRepositories) {
    this.subscription = repos.onDidChange((found) => {
      this.watch(found);
      this.changed.fire();
    });
    void repos.get().then((found) => this.watch(found));
  }

  /** Reads the git status again and redraws. */
  refresh(): void {
    this.changed.fire();
  }

  /** Watches each repository's HEAD, refs and index: checkouts, commits, fetches and staging (in the editor or a terminal). */
  private watch(found: readonly DetectedRepository[]): void {
    const roots = found.map((r) => r.root).sort().join('\n');
    if (roots === this.watchedRoots) return;
    this.watchedRoots = roots;
    vscode.Disposable.from(...this.watchers).dispose();
    this.watchers = found.flatMap((r) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(r.root), '.git/{HEAD,index,refs/**}'));
      return [w, w.onDidChange(this.refreshSoon), w.onDidCreate(this.refreshSoon), w.onDidDelete(this.refreshSoon)];
    });
  }

  /** One redraw for a burst of git's file writes (a commit touches the index, a ref and the log). */
  private readonly refreshSoon = () => {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire();
    }, 300);
  };

  async getChildren(node?: RepositoryViewNode): Promise<RepositoryViewNode[]> {
    if (!node) {
      const repos = await this.repos.get();
      return Promise.all(
        repos.map(async (repo): Promise<RepositoryNode> => {
          try {
            return { type: 'repo', repo, status: await repositoryStatus(repo.root) };
          } catch (e) {
            return { type: 'repo', repo, status: null, statusError: e instanceof Error ? e.message : String(e) };
          }
        }),
      );
    }
    if (node.type !== 'repo') return [];
    const markers = node.repo.markers.map((marker): RepositoryViewNode => ({ type: 'marker', repo: node.repo, marker }));
    const s = node.status;
    if (!s) return markers;
    return [
      { type: 'head', repo: node.repo, status: s },
      { type: 'changes', repo: node.repo, status: s },
      ...s.remotes.map((remote): RepositoryViewNode => ({ type: 'remote', repo: node.repo, remote })),
      ...(s.upstreamRemote ? [{ type: 'comparison', repo: node.repo, status: s } as RepositoryViewNode] : []),
      ...markers,
    ];
  }

  getTreeItem(node: RepositoryViewNode): vscode.TreeItem {
    switch (node.type) {
      case 'repo': {
        const item = new vscode.TreeItem(node.repo.name, vscode.TreeItemCollapsibleState.Expanded);
        const s = node.status;
        const kind = KIND_LABELS[node.repo.kind];
        item.description = [kind, s?.eraLabel, s && headLabel(s), s && s.dirty.changedFiles > 0 ? `${s.dirty.changedFiles} changed` : undefined].filter(Boolean).join(' · ');
        const lines = [`**${node.repo.name}** — ${kind}${s?.eraLabel ? ` (${s.eraLabel})` : ''}`, `\`${node.repo.root}\``];
        if (s) lines.push(`HEAD: ${headLabel(s)}`, `Changes: ${changesLabel(s)}`, ...s.remotes.map((r) => `${r.name} (${ROLE_LABELS[r.role]}): ${r.fetchUrl}`), comparisonLabel(s));
        else if (node.statusError) lines.push(`git: ${node.statusError}`);
        item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
        item.iconPath = new vscode.ThemeIcon('repo');
        item.resourceUri = vscode.Uri.file(node.repo.root);
        item.contextValue = `node=repository,kind=${node.repo.kind},git=${s ? 'yes' : 'no'}`;
        return item;
      }
      case 'head': {
        const item = new vscode.TreeItem(headLabel(node.status), vscode.TreeItemCollapsibleState.None);
        item.description = node.status.head.commit ? (node.status.head.branch ? node.status.head.commit.slice(0, 12) : 'detached HEAD') : undefined;
        item.iconPath = new vscode.ThemeIcon(node.status.head.branch ? 'git-branch' : 'git-commit');
        item.contextValue = 'node=head';
        return item;
      }
      case 'changes': {
        const d = node.status.dirty;
        const item = new vscode.TreeItem(changesLabel(node.status), vscode.TreeItemCollapsibleState.None);
        const parts = [d.trackedChanges ? `${d.trackedChanges} tracked` : '', d.untracked ? `${d.untracked} untracked` : '', d.conflicted ? `${d.conflicted} conflicted` : ''].filter(Boolean);
        item.description = parts.join(', ') || undefined;
        item.iconPath = new vscode.ThemeIcon(d.changedFiles ? 'diff' : 'check');
        item.contextValue = `node=changes,dirty=${d.changedFiles > 0}`;
        if (d.changedFiles) item.command = { command: 'workbench.view.scm', title: 'Show Source Control' };
        return item;
      }
      case 'comparison': {
        const item = new vscode.TreeItem(comparisonLabel(node.status), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('git-compare');
        item.contextValue = 'node=comparison';
        return item;
      }
      case 'remote': {
        const r = node.remote;
        const item = new vscode.TreeItem(`${r.name} (${ROLE_LABELS[r.role]})`, vscode.TreeItemCollapsibleState.None);
        item.description = r.fetchUrl;
        item.tooltip = r.pushUrl && r.pushUrl !== r.fetchUrl ? `fetch: ${r.fetchUrl}\npush: ${r.pushUrl}` : r.fetchUrl;
        item.iconPath = new vscode.ThemeIcon(r.role === 'fork' ? 'repo-forked' : r.role === 'upstream' ? 'cloud' : 'remote');
        item.contextValue = `node=remote,role=${r.role}`;
        return item;
      }
      case 'marker': {
        const uri = vscode.Uri.file(path.join(node.repo.root, node.marker));
        const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
        item.label = node.marker;
        item.contextValue = 'node=marker';
        item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
        return item;
      }
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    vscode.Disposable.from(...this.watchers).dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
