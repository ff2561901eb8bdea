import * as vscode from 'vscode';
import { PRODUCT } from '../core/productInfo';
import { SETTINGS_SECTION } from '../settings';
import { WorkspaceRepositories } from '../workspaceRepositories';

/** Commands that are not tied to one view: rescan, log, settings. */
export function registerGeneralCommands(repos: WorkspaceRepositories, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    // Returns what it found, so other extensions, tasks and tests can use it.
    vscode.commands.registerCommand('dockerFork.repository.refresh', () => repos.refresh()),
    vscode.commands.registerCommand('dockerFork.showLog', () => log.show()),
    vscode.commands.registerCommand('dockerFork.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${PRODUCT.extensionId} ${SETTINGS_SECTION}`),
    ),
  ];
}
