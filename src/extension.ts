import * as path from 'path';
import * as vscode from 'vscode';
import { BuildProblems } from './build/buildProblems';
import { BuildService } from './build/buildService';
import { registerBuildCommands } from './commands/buildCommands';
import { registerCacheCommands } from './commands/cacheCommands';
import { registerCloneCommands } from './commands/cloneCommands';
import { registerGeneralCommands } from './commands/generalCommands';
import { registerGitBuildCommands } from './commands/gitBuildCommands';
import { registerRepositoryCommands } from './commands/repositoryCommands';
import { PRODUCT } from './core/productInfo';
import { createLog } from './log';
import { MachinesLoader } from './machines/machinesLoader';
import { BuildStatusBar } from './statusBar/buildStatusBar';
import { BuildTaskProvider, TASK_TYPE } from './tasks/buildTaskProvider';
import { BuildTargetsView } from './views/buildTargetsView';
import { RepositoryView } from './views/repositoryView';
import { watchVendorBuilds } from './vendor/vendorBuildChanges';
import { VendorCodeActions } from './vendor/vendorCodeActions';
import { registerVendorCommands } from './vendor/vendorCommands';
import { VendorDiagnostics } from './vendor/vendorDiagnostics';
import { VENDOR_SELECTOR } from './vendor/vendorDocuments';
import { VendorHover } from './vendor/vendorHover';
import { VendorView } from './vendor/vendorView';
import { WorkspaceRepositories } from './workspaceRepositories';

const moduleLoadedAt = performance.now();

/** What activate() returns to other extensions and to tests. */
export interface DockerForkApi {
  /** Milliseconds activate() itself took. */
  readonly activationMs: number;
  /** Milliseconds from this module being loaded to activate() returning. */
  readonly sinceModuleLoadMs: number;
  /** The live views and status bar, so tests in a real host can read what users see. */
  readonly ui: {
    readonly buildTargets: BuildTargetsView;
    readonly machines: MachinesLoader;
    readonly repository: RepositoryView;
    readonly statusBar: vscode.StatusBarItem;
    readonly treeViews: Readonly<Record<string, vscode.TreeView<unknown>>>;
    readonly vendor: VendorView;
    readonly vendorDiagnostics: vscode.DiagnosticCollection;
  };
}

/** Wiring only: creates the services and views and hands them to VS Code to dispose. */
export function activate(context: vscode.ExtensionContext): DockerForkApi {
  const activateCalledAt = performance.now();
  const log = createLog();
  const repos = new WorkspaceRepositories(log);
  // History lives with the workspace's storage, so it survives reloads.
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const builds = new BuildService(path.join(storage, 'build-history.json'), log);
  const tasks = new BuildTaskProvider(repos, builds);
  const repositoryView = new RepositoryView(repos);
  const buildTargets = new BuildTargetsView(repos, builds);
  const statusBar = new BuildStatusBar(repos, builds);
  const machines = new MachinesLoader({ log, builds, repos });
  const vendor = new VendorView(repos);
  const vendorDiagnostics = new VendorDiagnostics();
  // Tree views (not bare providers), so tests can see which ones VS Code shows.
  const treeViews: Record<string, vscode.TreeView<unknown>> = {
    'dockerFork.repository': vscode.window.createTreeView('dockerFork.repository', { treeDataProvider: repositoryView as vscode.TreeDataProvider<unknown> }),
    'dockerFork.buildTargets': vscode.window.createTreeView('dockerFork.buildTargets', { treeDataProvider: buildTargets as vscode.TreeDataProvider<unknown>, showCollapseAll: true }),
    'dockerFork.vendor': vendor.treeView as vscode.TreeView<unknown>,
    'dockerFork.machines': vscode.window.createTreeView('dockerFork.machines', { treeDataProvider: machines as vscode.TreeDataProvider<unknown>, canSelectMany: true }),
  };
  context.subscriptions.push(
    log,
    repos,
    builds,
    repositoryView,
    buildTargets,
    statusBar,
    machines,
    new BuildProblems(builds),
    vscode.tasks.registerTaskProvider(TASK_TYPE, tasks),
    ...Object.values(treeViews).filter((v) => v !== vendor.treeView),
    vendor,
    vendorDiagnostics,
    watchVendorBuilds(builds, vendor, log),
    vscode.languages.registerHoverProvider(VENDOR_SELECTOR, new VendorHover(repos)),
    vscode.languages.registerCodeActionsProvider(VENDOR_SELECTOR, new VendorCodeActions(), { providedCodeActionKinds: VendorCodeActions.kinds }),
    ...registerGeneralCommands(repos, log),
    ...registerBuildCommands(repos, builds, tasks, log),
    ...registerCacheCommands(repos, builds),
    ...registerGitBuildCommands(log),
    ...registerVendorCommands(repos, vendor, log),
    ...registerCloneCommands(log),
    ...registerRepositoryCommands(repos, repositoryView, log),
    ...machines.registerCommands(),
  );
  context.subscriptions.push(builds.onDidChange(() => void vscode.commands.executeCommand('setContext', 'dockerFork.building', builds.allRunning().length > 0)));
  const done = performance.now();
  const timings = { activationMs: done - activateCalledAt, sinceModuleLoadMs: done - moduleLoadedAt };
  log.info(`${PRODUCT.name} ${PRODUCT.version} activated in ${timings.activationMs.toFixed(1)} ms (${timings.sinceModuleLoadMs.toFixed(1)} ms since its bundle loaded)`);
  return { ...timings, ui: { buildTargets, machines, repository: repositoryView, statusBar: statusBar.item, treeViews, vendor, vendorDiagnostics: vendorDiagnostics.collection } };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
