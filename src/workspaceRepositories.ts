import * as vscode from 'vscode';
import { DetectedRepository, findRepositories } from './core/repo/detect';
import { onSettingChanged, readSettings } from './settings';

/**
 * The Docker source trees in the open workspace folders. Detection reads the
 * file system only, runs lazily on first use, and again when folders,
 * settings or marker files change.
 */
export class WorkspaceRepositories implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<readonly DetectedRepository[]>();
  readonly onDidChange = this.changed.event;
  private current: Promise<readonly DetectedRepository[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()),
      onSettingChanged('repository.searchDepth', () => void this.refresh()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/{vendor.conf,vendor.mod,docker-bake.hcl,docker.Makefile,hack/make.sh}');
    const onMarker = () => void this.refresh();
    this.disposables.push(watcher, watcher.onDidCreate(onMarker), watcher.onDidDelete(onMarker));
  }

  /** The repositories, detecting them on first call. */
  get(): Promise<readonly DetectedRepository[]> {
    return (this.current ??= this.detect());
  }

  /** Detects again and tells listeners. */
  async refresh(): Promise<readonly DetectedRepository[]> {
    this.current = this.detect();
    const repos = await this.current;
    this.changed.fire(repos);
    return repos;
  }

  private async detect(): Promise<readonly DetectedRepository[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const found = await Promise.all(
      folders
        .filter((f) => f.uri.scheme === 'file')
        .map((f) => findRepositories(f.uri.fsPath, readSettings(f).repository.searchDepth)),
    );
    const repos = found.flat();
    this.log.info(`Detected ${repos.length} Docker repositor${repos.length === 1 ? 'y' : 'ies'}${repos.map((r) => `\n  ${r.kind}\t${r.root}`).join('')}`);
    await vscode.commands.executeCommand('setContext', 'dockerFork.hasRepository', repos.length > 0);
    return repos;
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
