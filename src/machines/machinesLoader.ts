import * as vscode from 'vscode';
import type { BuildService } from '../build/buildService';
import type { MachinesNode } from '../views/machinesView';
import type { WorkspaceRepositories } from '../workspaceRepositories';
import type { MachinesUi } from './machinesUi';

/** `dockerFork.machine.<id>`: the Machines view's commands. */
export const MACHINE_COMMANDS = ['refresh', 'deploy', 'rollback', 'restartDaemon', 'showDaemonLog', 'openSshTerminal', 'useAsEngine'] as const;
export type MachineCommand = (typeof MACHINE_COMMANDS)[number];

/**
 * What activation keeps of the Machines view: its tree provider and command
 * ids. The view, its commands and everything below them are loaded the first
 * time the view is shown or a command runs, so a session that never opens
 * the view pays nothing for it.
 */
export class MachinesLoader implements vscode.TreeDataProvider<MachinesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private loading: Promise<MachinesUi> | undefined;
  private loaded: MachinesUi | undefined;

  constructor(private readonly deps: { readonly log: vscode.LogOutputChannel; readonly builds: BuildService; readonly repos: WorkspaceRepositories }) {}

  ui(): Promise<MachinesUi> {
    return (this.loading ??= import(/* webpackChunkName: "machines-ui" */ './machinesUi').then((m) => {
      const ui = m.createMachinesUi(this.deps.log, this.deps.builds, this.deps.repos);
      ui.view.onDidChangeTreeData(() => this.changed.fire());
      this.loaded = ui;
      return ui;
    }));
  }

  async getChildren(node?: MachinesNode): Promise<MachinesNode[]> {
    return (await this.ui()).view.getChildren(node);
  }

  /** Only ever asked about nodes getChildren returned, so the view is loaded by then. */
  getTreeItem(node: MachinesNode): vscode.TreeItem {
    return this.loaded!.view.getTreeItem(node);
  }

  registerCommands(): vscode.Disposable[] {
    return MACHINE_COMMANDS.map((id) => vscode.commands.registerCommand(`dockerFork.machine.${id}`, async (...args: unknown[]) => (await this.ui()).commands[id](...args)));
  }

  dispose(): void {
    this.changed.dispose();
    this.loaded?.dispose();
  }
}
