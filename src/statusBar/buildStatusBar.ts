import * as vscode from 'vscode';
import { BuildRecord } from '../core/build/history';
import { buildOutcome, BuildService, FinishedBuild } from '../build/buildService';
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
  private renders = 0;
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
      builds.onDidRemoveTargets(() => void this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dockerFork') && void this.render()),
    ];
    void this.render();
  }

  /**
   * Renders now where it can (running, last result) and settles what needs
   * the target list afterwards; a newer render makes an older one stop, so a
   * slow read of the settings never paints over a build that started since.
   */
  async render(): Promise<void> {
    const seq = ++this.renders;
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
      const last = this.last;
      this.showLast(last);
      // A target removed from the settings since: its result is stale, and clicking could not build it.
      const stillThere = (await this.repos.get()).some((r) => r.root === last.repo.root) && (await this.builds.targets(last.repo)).recipes.some((t) => t.id === last.recipe.id);
      if (seq !== this.renders || stillThere) return;
      if (this.last === last) this.last = undefined;
    }
    const repos = await this.repos.get();
    const repo = repos[0];
    const list = repo ? await this.builds.targets(repo) : undefined;
    if (seq !== this.renders) return;
    const target = list?.recipes.find((t) => t.isDefault);
    if (!repo || !list) {
      this.item.hide();
      return;
    }
    if (!target) {
      if (!list.problems.length) {
        this.item.hide();
        return;
      }
      // No default to offer, and the settings say why: point there rather than at a build that would fail.
      this.item.text = `$(warning) Build targets: ${list.problems.length} problem${list.problems.length === 1 ? '' : 's'}`;
      this.item.tooltip = `${repo.name} has no default build target; ${list.problems.map((p) => p.message).join('; ')}. Click to show the Build Targets view.`;
      this.item.command = 'dockerFork.buildTargets.focus';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.show();
      return;
    }
    this.item.text = `$(tools) ${target.label}`;
    this.item.tooltip = `Build ${repo.name}: ${target.label} (default target)${list.problems.length ? ` — the settings have ${list.problems.length} problem(s), see Build Targets` : ''}`;
    this.item.command = 'dockerFork.build.runDefault';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  private showLast({ repo, recipe, result }: FinishedBuild): void {
    const outcome = buildOutcome(recipe, result);
    const look = OUTCOME_LOOK[outcome];
    this.item.text = `${look.icon} ${recipe.label}${look.suffix} · ${formatDuration(result.durationMs)}`;
    const detail = result.error ? ` — ${result.error}` : outcome === 'no-artifacts' ? ` — none of its artifacts were found (${recipe.artifacts.join(', ')})` : '';
    this.item.tooltip = `${repo.name}: ${recipe.label} ${look.said}${detail}. Click to build ${recipe.label} again.`;
    this.item.backgroundColor = look.background && new vscode.ThemeColor(look.background);
    this.item.command = { command: 'dockerFork.build.run', title: `Build ${recipe.label} again`, arguments: [{ repository: repo.root, target: recipe.id }] };
    this.item.show();
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}

/** Icon, text and colour of each outcome: a build that left no artifacts is a warning, not a success. */
const OUTCOME_LOOK: Record<BuildRecord['result'], { icon: string; suffix: string; said: string; background?: string }> = {
  succeeded: { icon: '$(check)', suffix: '', said: 'succeeded' },
  'no-artifacts': { icon: '$(warning)', suffix: ' · no artifacts', said: 'succeeded without artifacts', background: 'statusBarItem.warningBackground' },
  failed: { icon: '$(error)', suffix: ' failed', said: 'failed', background: 'statusBarItem.errorBackground' },
  error: { icon: '$(error)', suffix: ' failed', said: 'failed', background: 'statusBarItem.errorBackground' },
  cancelled: { icon: '$(circle-slash)', suffix: ' cancelled', said: 'was cancelled' },
};

function shorten(p: { step?: number; total?: number; percent?: number; label: string }): string {
  if (p.step !== undefined && p.total !== undefined) return `Step ${p.step}/${p.total}`;
  if (p.percent !== undefined) return `${p.percent}%`;
  return p.label.length > 32 ? `${p.label.slice(0, 31)}…` : p.label;
}
