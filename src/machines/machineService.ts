import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DeployRecords } from '../core/deploy/deployRecords';
import type { Machine, MachineList } from '../core/machines';
import type { ConfirmHostKey, PinnedHostKeys } from '../core/ssh/hostKeys';
import { onSettingChanged, readSettings, SETTINGS_SECTION } from '../settings';

/** Pinned host keys and deploy records: the CLI's own files (core/stateDir), so both share pins and the last deploy. */
export interface DeployState {
  readonly pinnedHostKeys: PinnedHostKeys;
  readonly records: DeployRecords;
}

/**
 * The editor's side of machines: lists them as the CLI does (docker-machine's
 * store, contexts, Vagrant folders of the workspace, dockerFork.machines.sshHosts),
 * keeps the last list for the commands, and asks before a host key is pinned.
 * The core modules are loaded on first use, not at activation.
 */
export class MachineService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the list should be read again (Refresh, settings, a deploy finished). */
  readonly onDidChange = this.changed.event;
  private last: Promise<MachineList> | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** One host key question at a time, even when several machines connect at once. */
  private prompts: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: vscode.LogOutputChannel) {
    const reset = () => this.refresh();
    this.subscriptions = [
      onSettingChanged('machines', reset),
      onSettingChanged('environment', reset),
      onSettingChanged('deploy', reset),
      vscode.workspace.onDidGrantWorkspaceTrust(reset),
      vscode.workspace.onDidChangeWorkspaceFolders(reset),
    ];
  }

  /** Forgets the list and the status shown: the view asks again. */
  refresh(): void {
    this.last = undefined;
    this.changed.fire();
  }

  /** Every machine and every problem reading them; a failure is a problem, never an exception. */
  list(): Promise<MachineList> {
    return (this.last ??= this.read().catch((e: Error) => ({ machines: [], problems: [{ name: 'machines', source: 'docker-machine' as const, origin: 'machines', message: `cannot list machines: ${e.message}` }] })));
  }

  async find(name: string): Promise<Machine> {
    const list = await this.list();
    const m = list.machines.find((x) => x.name === name);
    if (m) return m;
    const problem = list.problems.find((p) => p.name === name);
    throw new Error(problem ? `machine ${name} cannot be used: ${problem.origin}: ${problem.message}` : `no machine named ${name}; known: ${list.machines.map((x) => x.name).join(', ') || 'none'}`);
  }

  private async read(): Promise<MachineList> {
    const { listMachines } = await import(/* webpackChunkName: "machines" */ '../core/machines');
    const settings = readSettings();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const homeDir = os.homedir();
    const list = await listMachines({
      // MACHINE_STORAGE_PATH and DOCKER_CONFIG as builds see them: the editor's environment and dockerFork.environment.
      env: { ...process.env, ...settings.environment },
      homeDir,
      // `vagrant ssh-config` runs the Vagrantfile: only in a trusted workspace.
      vagrantFolders: vscode.workspace.isTrusted ? folders.map((f) => f.uri.fsPath).filter((f) => fs.existsSync(path.join(f, 'Vagrantfile'))) : [],
      sshHosts: { entries: settings.machines.sshHosts, origin: sshHostsOrigin(), homeDir, baseDir: folders[0]?.uri.fsPath },
    });
    this.log.info(`Machines: ${list.machines.map((m) => `${m.name} (${m.source})`).join(', ') || 'none'}${list.problems.length ? `; ${list.problems.length} problem(s): ${list.problems.map((p) => `${p.name}: ${p.message}`).join(' | ')}` : ''}`);
    return list;
  }

  /** The CLI's pinned host keys and deploy records (DFW_STATE_DIR, else the XDG state folder). */
  async state(): Promise<DeployState> {
    const [{ stateDir }, { PinnedHostKeys }, { DeployRecords }] = await Promise.all([
      import(/* webpackChunkName: "machines" */ '../core/stateDir'),
      import(/* webpackChunkName: "machines" */ '../core/ssh/hostKeys'),
      import(/* webpackChunkName: "machines" */ '../core/deploy/deployRecords'),
    ]);
    const dir = stateDir(process.env, os.homedir());
    return { pinnedHostKeys: new PinnedHostKeys(path.join(dir, 'known_hosts')), records: new DeployRecords(path.join(dir, 'deploys.json')) };
  }

  /**
   * First contact with a machine whose key is pinned on first use
   * (docker-machine, Vagrant): a modal with the fingerprints; only "Trust and
   * Pin" pins. `override` (tests, other extensions: a function, never a
   * setting or keybinding argument) answers instead.
   */
  confirmHostKey(override?: ConfirmHostKey): ConfirmHostKey {
    return (request) => {
      const answer = this.prompts.then(async () => {
        const shown = request.keys.map((k) => `${k.type} ${k.fingerprint}`).join(', ');
        this.log.info(`${request.machine}: first connection to ${request.host}; host key ${shown}`);
        const ok = override ? await override(request) : await askHostKey(request);
        this.log.info(`${request.machine}: host key ${ok ? `trusted and pinned in ${request.file}` : 'not accepted; not connecting'}`);
        return ok;
      });
      this.prompts = answer.catch(() => undefined);
      return answer;
    };
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}

export const TRUST_AND_PIN = 'Trust and Pin';

async function askHostKey(request: Parameters<ConfirmHostKey>[0]): Promise<boolean> {
  const keys = request.keys.map((k) => `${k.type} ${k.fingerprint}`).join('\n');
  const choice = await vscode.window.showWarningMessage(
    `First connection to ${request.machine} (${request.host}). Trust its host key?`,
    {
      modal: true,
      detail: `${keys}\n\nCompare with the fingerprint the machine itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it). Once pinned in ${request.file} (shared with the dockerfork CLI), any other key for this host is refused.`,
    },
    TRUST_AND_PIN,
  );
  return choice === TRUST_AND_PIN;
}

/** Where dockerFork.machines.sshHosts is set, for messages: the settings file, or user settings. */
function sshHostsOrigin(): string {
  const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<unknown[]>('machines.sshHosts');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (inspected?.workspaceFolderValue !== undefined && folder) return path.join(folder.uri.fsPath, '.vscode', 'settings.json');
  if (inspected?.workspaceValue !== undefined) return vscode.workspace.workspaceFile?.scheme === 'file' ? vscode.workspace.workspaceFile.fsPath : folder ? path.join(folder.uri.fsPath, '.vscode', 'settings.json') : 'workspace settings';
  return 'user settings';
}
