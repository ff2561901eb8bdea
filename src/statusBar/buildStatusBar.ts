import * as vscode from 'vscode';
import { BuildService, FinishedBuild } from '../build/buildService';
import { formatDuration } from '../format';
import { WorkspaceRepositories } from '../workspaceRepositories';

/**
 * One status-bar item for builds. Idle: the default target, click builds
 * it. Building: spinner, target, progress and elapsed time, click to show
 * or stop. After: the result and duration until the next build.
 */
export class BuildStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('dockerFork.build', vscode.StatusBarAlignment.Left, 50);
  private ticker: NodeJS.Timeout | undefined;
  private last: FinishedBuild | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly repos: WorkspaceRepositories, private readonly builds: BuildService) {
    this.item.name = 'Docker Fork Build';
    this.subscriptions = [
      builds.onDidChange(() => void this.render()),
      builds.onDidFinish((f) => {
        this.last = f;
        void this.render();
      }),
      repos.onDidChange(() => void this.render()),
    ];
    void this.render();
  }

  async render(): Promise<void> {
    const running = this.builds.allRunning()[0];
    if (running) {
      const progress = running.progress ? ` · ${shorten(running.progress)}` : '';
      this.item.text = `$(sync~spin) ${running.recipe.label}${progress} · ${formatDuration(Date.now() - running.startedAt)}`;
      this.item.tooltip = `Building ${running.repo.name}: ${running.recipe.label} — click to show or stop`;
      this.item.command = 'dockerFork.build.showRunning';
      this.item.backgroundColor = undefined;
      this.ticker ??= setInterval(() => void this.render(), 1000);
      this.item.show();
      return;
    }
    if (this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    if (this.last) {
      const { recipe, result } = this.last;
      const ok = !result.cancelled && !result.error && result.exitCode === 0;
      const state = result.cancelled ? ' cancelled' : ok ? '' : ' failed';
      this.item.text = `${ok ? '$(check)' : result.cancelled ? '$(circle-slash)' : '$(error)'} ${recipe.label}${state} · ${formatDuration(result.durationMs)}`;
      this.item.tooltip = `${this.last.repo.name}: ${recipe.label}${state || ' succeeded'}${result.error ? ` — ${result.error}` : ''}. Click to build the default target again.`;
      this.item.backgroundColor = ok || result.cancelled ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.command = 'dockerFork.build.runDefault';
      this.item.show();
      return;
    }
    const repo = (await this.repos.get())[0];
    const target = repo && (await this.builds.targets(repo).catch(() => [])).find((t) => t.isDefault);
    if (!repo || !target) {
      this.item.hide();
      return;
    }
    this.item.text = `$(tools) ${target.label}`;
    this.item.tooltip = `Build ${repo.name}: ${target.label} (default target)`;
    this.item.command = 'dockerFork.build.runDefault';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}

function shorten(p: { step?: number; total?: number; percent?: number; label: string }): string {
  if (p.step !== undefined && p.total !== undefined) return `Step ${p.step}/${p.total}`;
  if (p.percent !== undefined) return `${p.percent}%`;
  return p.label.length > 32 ? `${p.label.slice(0, 31)}…` : p.label;
}
