import * as vscode from 'vscode';
import type { BuildService } from '../build/buildService';
import { machineCommandHandlers } from '../commands/machineCommands';
import { MachinesView } from '../views/machinesView';
import type { WorkspaceRepositories } from '../workspaceRepositories';
import type { MachineCommand } from './machinesLoader';
import { MachineService } from './machineService';

/** The Machines view, its service and its command handlers, made together on first use. */
export interface MachinesUi extends vscode.Disposable {
  readonly service: MachineService;
  readonly view: MachinesView;
  readonly commands: Record<MachineCommand, (...args: unknown[]) => Promise<unknown>>;
}

export function createMachinesUi(log: vscode.LogOutputChannel, builds: BuildService, repos: WorkspaceRepositories): MachinesUi {
  const service = new MachineService(log);
  const view = new MachinesView(service);
  return {
    service,
    view,
    commands: machineCommandHandlers(service, builds, repos, log),
    dispose: () => {
      view.dispose();
      service.dispose();
    },
  };
}
