import * as vscode from 'vscode';
import { registerGeneralCommands } from './commands/generalCommands';
import { PRODUCT } from './core/productInfo';
import { createLog } from './log';
import { EmptyView } from './views/emptyView';
import { RepositoryView } from './views/repositoryView';
import { WorkspaceRepositories } from './workspaceRepositories';

const moduleLoadedAt = performance.now();

/** What activate() returns to other extensions and to tests. */
export interface DockerForkApi {
  /** Milliseconds activate() itself took. */
  readonly activationMs: number;
  /** Milliseconds from this module being loaded to activate() returning. */
  readonly sinceModuleLoadMs: number;
}

/** Wiring only: creates the services and views and hands them to VS Code to dispose. */
export function activate(context: vscode.ExtensionContext): DockerForkApi {
  const activateCalledAt = performance.now();
  const log = createLog();
  const repos = new WorkspaceRepositories(log);
  const repositoryView = new RepositoryView(repos);
  const empty = new EmptyView();
  context.subscriptions.push(
    log,
    repos,
    repositoryView,
    vscode.window.registerTreeDataProvider('dockerFork.repository', repositoryView),
    vscode.window.registerTreeDataProvider('dockerFork.buildTargets', empty),
    vscode.window.registerTreeDataProvider('dockerFork.vendor', empty),
    vscode.window.registerTreeDataProvider('dockerFork.machines', empty),
    ...registerGeneralCommands(repos, log),
  );
  const done = performance.now();
  const api = { activationMs: done - activateCalledAt, sinceModuleLoadMs: done - moduleLoadedAt };
  log.info(`${PRODUCT.name} ${PRODUCT.version} activated in ${api.activationMs.toFixed(1)} ms (${api.sinceModuleLoadMs.toFixed(1)} ms since its bundle loaded)`);
  return api;
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
