import * as os from 'os';
import * as vscode from 'vscode';
import type { BuildRunner } from '../core/build/buildRunner';
import { BuildEvent, BuildProgress, BuildResult } from '../core/build/events';
import { BuildHistory, BuildRecord } from '../core/build/history';
import { BuildRecipe } from '../core/build/recipe';
import { resolveTargets, TargetList } from '../core/repo/catalog';
import { DetectedRepository } from '../core/repo/detect';
import { readWorkspaceBuildSettings } from '../core/repo/workspaceSettings';
import { readSettings, userBuildDefaults } from '../settings';

/** A build in progress: what the status bar and the views show. */
export interface RunningBuild {
  readonly repo: DetectedRepository;
  readonly recipe: BuildRecipe;
  readonly startedAt: number;
  readonly controller: AbortController;
  progress?: BuildProgress;
  /** Resolves with the result; never rejects. */
  readonly done: Promise<BuildResult>;
}

/** A build finished: the state after it. */
export interface FinishedBuild {
  readonly repo: DetectedRepository;
  readonly recipe: BuildRecipe;
  readonly result: BuildResult;
}

/**
 * How a finished build ended. A build whose command succeeded but left none
 * of the artifacts its target promises did not do its job: a warning, not a
 * green success.
 */
export function buildOutcome(recipe: BuildRecipe, result: BuildResult): BuildRecord['result'] {
  if (result.cancelled) return 'cancelled';
  if (result.error) return 'error';
  if (result.exitCode !== 0) return 'failed';
  return recipe.artifacts.length > 0 && result.artifacts.length === 0 ? 'no-artifacts' : 'succeeded';
}

export class BuildBusyError extends Error {
  constructor(readonly running: RunningBuild) {
    super(`${running.repo.name} is already building ${running.recipe.label}`);
  }
}

/**
 * The editor's side of building: targets per repository from detection and
 * settings, one build per repository at a time, history, and events. All
 * build logic is the core's BuildRunner; this only adds VS Code state.
 */
export class BuildService implements vscode.Disposable {
  /**
   * Loaded on the first build: the runner pulls in dockerode and ssh2, which
   * activation (and a session that never builds) should not pay for.
   */
  private runner: Promise<BuildRunner> | undefined;
  private readonly running = new Map<string, RunningBuild>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly started = new vscode.EventEmitter<RunningBuild>();
  private readonly finished = new vscode.EventEmitter<FinishedBuild>();
  private readonly events = new vscode.EventEmitter<{ repoRoot: string; event: BuildEvent }>();
  /** Fires on start, progress and finish: views and the status bar re-render. */
  readonly onDidChange = this.changed.event;
  readonly onDidStart = this.started.event;
  readonly onDidFinish = this.finished.event;
  readonly onDidEmit = this.events.event;
  private readonly removed = new vscode.EventEmitter<{ repoRoot: string; ids: string[] }>();
  /** Targets that were listed before and are gone now (removed from settings): state about them is stale. */
  readonly onDidRemoveTargets = this.removed.event;
  readonly history: BuildHistory;
  /** Target ids last listed per repository, to notice removed ones. */
  private readonly knownTargets = new Map<string, { repo: DetectedRepository; ids: Set<string> }>();
  private readonly settingsWatcher: vscode.FileSystemWatcher;
  private readonly configSubscription: vscode.Disposable;

  constructor(historyFile: string, private readonly log: vscode.LogOutputChannel) {
    this.history = new BuildHistory(historyFile, undefined, (message) => this.log.warn(message));
    // Build settings are read from each repository's own .vscode/settings.json
    // (see buildSettingsFile), which VS Code's configuration events do not
    // cover for a repository nested in a workspace folder.
    this.settingsWatcher = vscode.workspace.createFileSystemWatcher('**/.vscode/settings.json');
    // Re-list the known repositories' targets at once, so state about removed
    // ones (Problems, the status bar) goes even when no view is asking.
    const onSettings = () => {
      for (const { repo } of this.knownTargets.values()) void this.targets(repo).catch(() => undefined);
      this.changed.fire();
    };
    this.settingsWatcher.onDidChange(onSettings);
    this.settingsWatcher.onDidCreate(onSettings);
    this.settingsWatcher.onDidDelete(onSettings);
    this.configSubscription = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dockerFork') && onSettings());
  }

  /**
   * The repository's targets and the problems of its settings, read as the
   * CLI reads them (one reader in core, the repository's own settings file).
   */
  async targets(repo: DetectedRepository): Promise<TargetList> {
    const own = await readWorkspaceBuildSettings(repo.root);
    const user = userBuildDefaults();
    const list = await resolveTargets(repo, { ...own, privileged: own.privileged ?? user.privileged, builder: own.builder ?? user.builder });
    const ids = new Set(list.recipes.map((r) => r.id));
    const before = this.knownTargets.get(repo.root)?.ids;
    this.knownTargets.set(repo.root, { repo, ids });
    const gone = before ? [...before].filter((id) => !ids.has(id)) : [];
    if (gone.length) {
      this.log.info(`Targets removed from ${repo.name}: ${gone.join(', ')}`);
      this.removed.fire({ repoRoot: repo.root, ids: gone });
    }
    return list;
  }

  runningIn(repoRoot: string): RunningBuild | undefined {
    return this.running.get(repoRoot);
  }

  allRunning(): RunningBuild[] {
    return [...this.running.values()];
  }

  /**
   * Starts a build; throws BuildBusyError when the repository is already
   * building (the caller offers stop-and-restart). `listener` sees every event.
   */
  start(repo: DetectedRepository, recipe: BuildRecipe, listener?: (e: BuildEvent) => void): RunningBuild {
    if (!vscode.workspace.isTrusted) throw new Error('Builds run code from this workspace: trust the workspace first (Manage Workspace Trust).');
    const busy = this.running.get(repo.root);
    if (busy) throw new BuildBusyError(busy);
    const controller = new AbortController();
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo.root));
    const env = { ...process.env, ...readSettings(folder).environment };
    const startedAt = Date.now();
    let engine: string | undefined;
    const build: RunningBuild = {
      repo,
      recipe,
      startedAt,
      controller,
      done: (this.runner ??= import(/* webpackChunkName: "build-runner" */ '../core/build/buildRunner').then((m) => new m.BuildRunner())).then((runner) => runner.run(recipe, {
        signal: controller.signal,
        engineEnv: { env, homeDir: os.homedir() },
        listener: (event) => {
          if (event.type === 'progress') {
            build.progress = event.progress;
            this.changed.fire();
          }
          if (event.type === 'log' && event.stream === 'system' && event.text.startsWith('Engine: ')) engine = event.text.slice(8).trim();
          listener?.(event);
          this.events.fire({ repoRoot: repo.root, event });
        },
      })).catch((e: unknown) => ({ cancelled: false, error: `The build runner failed to load: ${e}`, durationMs: Date.now() - startedAt, artifacts: [] })),
    };
    this.running.set(repo.root, build);
    this.log.info(`Build started: ${repo.name} ${recipe.id} (${recipe.executor})`);
    this.started.fire(build);
    this.changed.fire();
    void build.done.then(async (result) => {
      this.running.delete(repo.root);
      const record: BuildRecord = {
        repoRoot: repo.root,
        target: recipe.id,
        engine,
        startedAt,
        durationMs: result.durationMs,
        result: buildOutcome(recipe, result),
        exitCode: result.exitCode,
        error: result.error,
        artifacts: result.artifacts,
      };
      await this.history.add(record).catch((e) => this.log.warn(`Could not save build history: ${e}`));
      const missing = record.result === 'no-artifacts' ? ` — none of its artifacts were found (${recipe.artifacts.join(', ')})` : '';
      this.log.info(`Build ${record.result}: ${repo.name} ${recipe.id} in ${(result.durationMs / 1000).toFixed(1)}s${result.error ? ` — ${result.error}` : missing}`);
      this.finished.fire({ repo, recipe, result });
      this.changed.fire();
    });
    return build;
  }

  /** Cancels the repository's build; resolves once it has stopped. */
  async stop(repoRoot: string): Promise<void> {
    const build = this.running.get(repoRoot);
    if (!build) return;
    build.controller.abort();
    await build.done;
  }

  dispose(): void {
    for (const b of this.running.values()) b.controller.abort();
    this.changed.dispose();
    this.started.dispose();
    this.finished.dispose();
    this.events.dispose();
    this.removed.dispose();
    this.settingsWatcher.dispose();
    this.configSubscription.dispose();
  }
}
