import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import type { RestartResult } from '../core/deploy/restartDaemon';
import type { RollbackResult } from '../core/deploy/deployRunner';
import type { DeployPlan } from '../core/deploy/deployPlan';
import type { Artifact } from '../core/build/events';
import type { Machine } from '../core/machines';
import type { ConfirmHostKey } from '../core/ssh/hostKeys';
import { formatAge } from '../format';
import type { DeployCommandResult } from '../machines/deployFlow';
import { MachineService } from '../machines/machineService';
import { readSettings, SETTINGS_SECTION } from '../settings';
import { endpointText, MachinesNode, SOURCE_LABELS } from '../views/machinesView';
import { WorkspaceRepositories } from '../workspaceRepositories';
import type { MachineCommand } from '../machines/machinesLoader';

/** What tests, tasks and keybindings may pass instead of picking in the UI. */
export interface MachineArgs {
  readonly machine?: string;
  readonly machines?: readonly string[];
  /** Answers host key questions instead of the modal. A function only: no setting or keybinding can accept keys. */
  readonly confirmHostKey?: ConfirmHostKey;
}

export interface DeployArgs extends MachineArgs {
  /** A bundles/ folder, a binary-daemon folder, docker-ce's static .tgz, or a binary. */
  readonly from?: string;
  /** The last build of this target (from the build history). */
  readonly build?: { readonly target: string; readonly repository?: string };
  readonly mode?: 'replace' | 'dropin';
  readonly dest?: string;
  readonly restartCommand?: string;
  readonly daemonHost?: string;
  readonly remoteStateDir?: string;
  /** Answers the plan confirmation instead of the modal (a function only). */
  readonly confirmPlan?: (plans: readonly DeployPlan[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

export interface ConfirmArgs extends MachineArgs {
  /** Skip the "are you sure" modal (a keybinding of the user's own may). */
  readonly confirmed?: boolean;
}

type Source = { readonly label: string; readonly paths: readonly string[] } | { readonly label: string; readonly artifacts: readonly Artifact[] };

const TRUST_MESSAGE = 'Deploys, rollbacks and restarts change other machines with settings from this workspace: trust the workspace first.';

/** Loaded on first use: the core's deploy and SSH code, and the flows around it. */
const actions = () => import(/* webpackChunkName: "deploy" */ '../machines/machineActions');

/**
 * The handlers of the Machines view's commands (loaded with the view, on
 * first use; extension.ts registers the ids). A command run from the view
 * gets the node (and, with several selected, all of them); from the palette
 * it asks. Everything that changes a machine is refused in Restricted Mode.
 */
export function machineCommandHandlers(service: MachineService, builds: BuildService, repos: WorkspaceRepositories, log: vscode.LogOutputChannel): Record<MachineCommand, (...args: unknown[]) => Promise<unknown>> {
  function trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(TRUST_MESSAGE, 'Manage Workspace Trust').then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
    log.warn(`Refused in Restricted Mode: ${TRUST_MESSAGE}`);
    return false;
  }

  /** The machines named by args or nodes; otherwise picked (several where `many`). */
  async function machinesFor(arg: unknown, selected: unknown, many: boolean): Promise<Machine[] | undefined> {
    const nodes = (Array.isArray(selected) ? selected : [arg]).filter((n): n is Extract<MachinesNode, { type: 'machine' }> => !!n && typeof n === 'object' && (n as MachinesNode).type === 'machine');
    if (nodes.length) return many ? nodes.map((n) => n.machine) : [nodes[0].machine];
    const a = (arg ?? {}) as MachineArgs;
    const names = a.machines ?? (a.machine ? [a.machine] : undefined);
    if (names) return Promise.all(names.map((n) => service.find(n)));
    const { machines } = await service.list();
    if (machines.length === 0) {
      void vscode.window.showInformationMessage('No machines: add SSH hosts in the dockerFork.machines.sshHosts setting, or create one with docker-machine.', 'Open Setting').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.machines.sshHosts`));
      return undefined;
    }
    const items = machines.map((m) => ({ label: m.name, description: `${SOURCE_LABELS[m.source]} · ${endpointText(m)}`, detail: m.warnings?.join(' '), machine: m }));
    if (many) {
      const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Deploy to which machines?', ignoreFocusOut: true });
      return picked?.length ? picked.map((p) => p.machine) : undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Which machine?' });
    return picked ? [picked.machine] : undefined;
  }

  async function lastBuild(target: string, repository?: string): Promise<Source> {
    const all = await repos.get();
    const repo = repository ? all.find((r) => r.name === repository || r.root === repository) : all[0];
    if (!repo) throw new Error(repository ? `no Docker repository '${repository}' in this workspace` : 'no Docker repository in this workspace');
    const record = (await builds.history.list()).find((r) => r.repoRoot === repo.root && r.target === target && r.result === 'succeeded' && r.artifacts.length > 0);
    if (!record) throw new Error(`${repo.name} has no successful build of ${target} with artifacts in its history: build it first`);
    return { label: `the last build of ${target} in ${repo.name} (${formatAge(record.startedAt + record.durationMs)})`, artifacts: record.artifacts };
  }

  /** The last build of a target, a bundles/ folder, or a file or folder picked. */
  async function pickSource(): Promise<Source | undefined> {
    type Item = vscode.QuickPickItem & { source?: Source | 'browse' };
    const items: Item[] = [];
    const all = await repos.get();
    const seen = new Set<string>();
    for (const r of await builds.history.list()) {
      const key = `${r.repoRoot}\0${r.target}`;
      if (seen.has(key) || r.result !== 'succeeded' || r.artifacts.length === 0) continue;
      seen.add(key);
      const repo = all.find((x) => x.root === r.repoRoot);
      const label = `the last build of ${r.target} in ${repo?.name ?? path.basename(r.repoRoot)}`;
      items.push({ label: `$(package) Last build of ${r.target}`, description: `${repo?.name ?? r.repoRoot} · ${formatAge(r.startedAt + r.durationMs)}${r.commit ? ` · ${r.commit.slice(0, 10)}` : ''}`, detail: r.artifacts.map((a) => a.relativePath).join(', '), source: { label, artifacts: r.artifacts } });
    }
    for (const repo of all) {
      const bundles = path.join(repo.root, 'bundles');
      if (fs.existsSync(bundles)) items.push({ label: `$(folder) bundles/ of ${repo.name}`, description: bundles, source: { label: bundles, paths: [bundles] } });
    }
    items.push({ label: '$(file) A file or folder…', description: 'a bundles/ or binary-daemon folder, docker-ce\'s static .tgz, a binary', source: 'browse' });
    const picked = await vscode.window.showQuickPick(items, { title: 'Deploy what?', ignoreFocusOut: true });
    if (!picked?.source) return undefined;
    if (picked.source !== 'browse') return picked.source;
    const uris = await vscode.window.showOpenDialog({ title: 'Deploy: a bundles/ folder, a binary, or docker-ce\'s static .tgz', canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Deploy This' });
    const file = uris?.[0]?.fsPath;
    return file ? { label: file, paths: [file] } : undefined;
  }

  async function deploy(arg?: unknown, selected?: unknown): Promise<DeployCommandResult | undefined> {
    if (!trusted()) return undefined;
    const a = (arg && typeof arg === 'object' && !('type' in arg) ? arg : {}) as DeployArgs;
    try {
      const machines = await machinesFor(arg, selected, true);
      if (!machines?.length) return undefined;
      const source: Source | undefined = a.from ? { label: a.from, paths: [a.from] } : a.build ? await lastBuild(a.build.target, a.build.repository) : await pickSource();
      if (!source) return undefined;
      const s = readSettings().deploy;
      const m = await actions();
      return await m.runDeploy(service, log, {
        machines,
        source: 'paths' in source ? m.sourceFromPaths(source.label, source.paths) : m.sourceFromArtifacts(source.label, source.artifacts),
        options: { mode: a.mode ?? s.mode, dest: a.dest ?? s.dest, restart: a.restartCommand ?? s.restartCommand, daemonHost: a.daemonHost ?? s.daemonHost, remoteStateDir: a.remoteStateDir ?? s.remoteStateDir },
        confirmHostKey: typeof a.confirmHostKey === 'function' ? a.confirmHostKey : undefined,
        confirmPlan: typeof a.confirmPlan === 'function' ? a.confirmPlan : undefined,
        signal: a.signal,
      });
    } catch (e) {
      log.error(`Deploy: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Deploy: ${(e as Error).message}`);
      return undefined;
    }
  }

  async function rollback(arg?: unknown, selected?: unknown): Promise<RollbackResult[] | undefined> {
    if (!trusted()) return undefined;
    const a = (arg && typeof arg === 'object' && !('type' in arg) ? arg : {}) as ConfirmArgs;
    try {
      const machines = await machinesFor(arg, selected, true);
      if (!machines?.length) return undefined;
      if (!a.confirmed) {
        const go = 'Roll Back';
        const names = machines.map((m) => m.name).join(', ');
        const choice = await vscode.window.showWarningMessage(`Roll back the last deploy to ${names}?`, { modal: true, detail: 'The binaries it replaced are put back, what it added (a systemd drop-in too) is removed, and the daemon is restarted and checked.' }, go);
        if (choice !== go) return undefined;
      }
      return await (await actions()).runRollback(service, log, machines, readSettings().deploy.remoteStateDir, typeof a.confirmHostKey === 'function' ? a.confirmHostKey : undefined);
    } catch (e) {
      void vscode.window.showErrorMessage(`Roll back: ${(e as Error).message}`);
      return undefined;
    }
  }

  async function restart(arg?: unknown): Promise<RestartResult | undefined> {
    if (!trusted()) return undefined;
    const a = (arg && typeof arg === 'object' && !('type' in arg) ? arg : {}) as ConfirmArgs;
    try {
      const [machine] = (await machinesFor(arg, undefined, false)) ?? [];
      if (!machine) return undefined;
      if (!a.confirmed) {
        const go = 'Restart';
        const choice = await vscode.window.showWarningMessage(`Restart the Docker daemon on ${machine.name}?`, { modal: true, detail: 'Its containers stop unless live-restore is on.' }, go);
        if (choice !== go) return undefined;
      }
      const s = readSettings().deploy;
      return await (await actions()).runRestart(service, log, machine, { restart: s.restartCommand, daemonHost: s.daemonHost }, typeof a.confirmHostKey === 'function' ? a.confirmHostKey : undefined);
    } catch (e) {
      void vscode.window.showErrorMessage(`Restart: ${(e as Error).message}`);
      return undefined;
    }
  }

  async function terminal(arg: unknown, what: 'log' | 'shell'): Promise<vscode.Terminal | undefined> {
    const a = (arg && typeof arg === 'object' && !('type' in arg) ? arg : {}) as MachineArgs;
    try {
      const [machine] = (await machinesFor(arg, undefined, false)) ?? [];
      if (!machine) return undefined;
      const m = await actions();
      const confirm = typeof a.confirmHostKey === 'function' ? a.confirmHostKey : undefined;
      return what === 'log'
        ? await m.openSshTerminal(service, log, machine, `dockerd log: ${machine.name}`, ['journalctl', '-f', '-u', 'docker'], confirm)
        : await m.openSshTerminal(service, log, machine, `ssh ${machine.name}`, undefined, confirm);
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
  }

  /** Points builds at the machine's engine: dockerFork.environment in the workspace settings. */
  async function useAsEngine(arg?: unknown): Promise<Record<string, string> | undefined> {
    if (!trusted()) return undefined;
    try {
      const [machine] = (await machinesFor(arg, undefined, false)) ?? [];
      if (!machine) return undefined;
      const { engineEnvironmentFor, withEngine } = await import(/* webpackChunkName: "machines" */ '../core/machines/engineEnvironment');
      const engine = engineEnvironmentFor(machine);
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      const current = config.inspect<Record<string, string>>('environment')?.workspaceValue ?? {};
      const next = withEngine(current, engine);
      await config.update('environment', next, vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      const shown = Object.entries(engine.set).map(([k, v]) => `${k}=${v}`).join(' ');
      log.info(`Builds now use the engine of ${machine.name}: ${shown}${engine.notes.length ? ` (${engine.notes.join('; ')})` : ''}`);
      void vscode.window.showInformationMessage(`Builds use the engine of ${machine.name} (${shown} in dockerFork.environment of this workspace).${engine.notes.length ? ` Note: ${engine.notes.join('; ')}.` : ''}`);
      return next;
    } catch (e) {
      void vscode.window.showErrorMessage(`Use as Engine: ${(e as Error).message}`);
      return undefined;
    }
  }

  return {
    refresh: async () => {
      service.refresh();
      return service.list();
    },
    deploy,
    rollback,
    restartDaemon: restart,
    showDaemonLog: (arg?: unknown) => terminal(arg, 'log'),
    openSshTerminal: (arg?: unknown) => terminal(arg, 'shell'),
    useAsEngine,
  };
}
