import * as vscode from 'vscode';
import type { MachineStatus } from '../core/deploy/machineStatus';
import type { Machine, MachineProblem, MachineSource } from '../core/machines';
import { formatAge } from '../format';
import { MachineService } from '../machines/machineService';
import { readSettings } from '../settings';

/** One line of a machine's status, as asked on expand or Refresh. */
export interface StatusLine {
  readonly kind: 'reachable' | 'daemon' | 'lastDeploy' | 'backups' | 'error';
  readonly ok: boolean;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
}

export type MachinesNode =
  | { readonly type: 'source'; readonly source: MachineSource; readonly machines: readonly Machine[]; readonly problems: readonly MachineProblem[] }
  | { readonly type: 'machine'; readonly machine: Machine }
  /** A machine that could not be read, beside the good ones. */
  | { readonly type: 'problem'; readonly problem: MachineProblem }
  | { readonly type: 'status'; readonly machine: string; readonly line: StatusLine };

export const SOURCE_LABELS: Record<MachineSource, string> = {
  'docker-machine': 'docker-machine',
  context: 'Docker contexts',
  vagrant: 'Vagrant',
  ssh: 'SSH hosts',
};

const SOURCE_ORDER: readonly MachineSource[] = ['docker-machine', 'context', 'vagrant', 'ssh'];

const SOURCE_ICONS: Record<MachineSource, string> = { 'docker-machine': 'vm', context: 'symbol-namespace', vagrant: 'vm-outline', ssh: 'remote' };

/** `user@host:port` as ssh would be told. */
export function endpointText(m: Machine): string {
  const { host, port, user } = m.ssh;
  return `${user ? `${user}@` : ''}${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`;
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim())?.trim() ?? text;

/** What a status shows, a line each: reachable, the daemon, our last deploy, the backups kept. */
export function statusLines(machine: Machine, s: MachineStatus): StatusLine[] {
  if (!s.reachable) return [{ kind: 'error', ok: false, label: 'Not reachable', description: firstLine(s.error ?? 'no reason given'), tooltip: s.error }];
  const lines: StatusLine[] = [{ kind: 'reachable', ok: true, label: 'Reachable', description: endpointText(machine), tooltip: `Logged in over SSH as ${endpointText(machine)}` }];
  lines.push(
    s.daemon
      ? { kind: 'daemon', ok: true, label: `dockerd ${s.daemon.version}`, description: `commit ${s.daemon.commit || '(none)'}`, tooltip: `The daemon answers at ${s.daemonHost}: version ${s.daemon.version}, commit ${s.daemon.commit || '(none)'}${s.daemon.apiVersion ? `, API ${s.daemon.apiVersion}` : ''}` }
      : { kind: 'daemon', ok: false, label: 'The daemon does not answer', description: firstLine(s.daemonError ?? ''), tooltip: `At ${s.daemonHost}: ${s.daemonError ?? 'no answer'}` },
  );
  const d = s.lastDeploy;
  if (d) {
    const runs = d.state === 'rolled-back' ? 'rolled back' : s.runsLastDeploy === undefined ? undefined : s.runsLastDeploy ? 'running now' : 'NOT what runs now';
    lines.push({
      kind: 'lastDeploy',
      ok: d.state === 'rolled-back' || s.runsLastDeploy !== false,
      label: `Last deploy ${formatAge(Date.parse(d.at))}`,
      description: [d.commit ? `commit ${d.commit}` : undefined, runs].filter(Boolean).join(' · '),
      tooltip: `${d.id} at ${d.at}: ${d.files.map((f) => f.name).join(', ')} into ${d.dest} (${d.mode}) from ${d.origin}${d.commit ? `, commit ${d.commit}` : ''}${runs ? ` — ${runs}` : ''}`,
    });
  } else lines.push({ kind: 'lastDeploy', ok: true, label: 'Nothing deployed from here' });
  lines.push({ kind: 'backups', ok: true, label: `Backups kept: ${s.backups.length}`, description: s.backups.at(-1) ? `latest ${s.backups.at(-1)}` : undefined, tooltip: s.backups.length ? s.backups.join('\n') : 'No backup: nothing to roll back to.' });
  return lines;
}

/**
 * Machines: docker-machine's, Docker contexts, Vagrant and SSH hosts, by
 * source, problems beside them. A machine's status is asked when it is
 * expanded, and again on Refresh: never in the background.
 */
export class MachinesView implements vscode.TreeDataProvider<MachinesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: MachineService) {
    this.subscription = service.onDidChange(() => this.changed.fire());
  }

  async getChildren(node?: MachinesNode): Promise<MachinesNode[]> {
    if (!node) {
      const { machines, problems } = await this.service.list();
      return SOURCE_ORDER.map((source): MachinesNode => ({ type: 'source', source, machines: machines.filter((m) => m.source === source), problems: problems.filter((p) => p.source === source) })).filter(
        (n) => n.type === 'source' && (n.machines.length > 0 || n.problems.length > 0),
      );
    }
    if (node.type === 'source') return [...node.machines.map((machine): MachinesNode => ({ type: 'machine', machine })), ...node.problems.map((problem): MachinesNode => ({ type: 'problem', problem }))];
    if (node.type === 'machine') return (await this.status(node.machine)).map((line) => ({ type: 'status', machine: node.machine.name, line }));
    return [];
  }

  /** Connects now (the host key asked for on first use) and reads the status. */
  async status(machine: Machine): Promise<StatusLine[]> {
    try {
      const [{ machineStatus }, state] = await Promise.all([import(/* webpackChunkName: "deploy" */ '../core/deploy/machineStatus'), this.service.state()]);
      const s = await machineStatus(machine, { ...state, confirmHostKey: this.service.confirmHostKey(), daemonHost: readSettings().deploy.daemonHost });
      return statusLines(machine, s);
    } catch (e) {
      return [{ kind: 'error', ok: false, label: 'Status unavailable', description: firstLine((e as Error).message), tooltip: (e as Error).message }];
    }
  }

  getTreeItem(node: MachinesNode): vscode.TreeItem {
    switch (node.type) {
      case 'source': {
        const item = new vscode.TreeItem(SOURCE_LABELS[node.source], vscode.TreeItemCollapsibleState.Expanded);
        item.id = `source:${node.source}`;
        item.description = `${node.machines.length}${node.problems.length ? ` · ${node.problems.length} problem${node.problems.length > 1 ? 's' : ''}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(SOURCE_ICONS[node.source]);
        item.contextValue = `node=source,source=${node.source}`;
        return item;
      }
      case 'machine': {
        const m = node.machine;
        const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `machine:${m.name}`;
        const warnings = m.warnings ?? [];
        item.description = [endpointText(m), m.driver, warnings.length ? `⚠ ${warnings.length === 1 ? firstLine(warnings[0]) : `${warnings.length} warnings`}` : undefined].filter(Boolean).join(' · ');
        const tip = new vscode.MarkdownString();
        tip.appendMarkdown(`**${m.name}** (${SOURCE_LABELS[m.source]}${m.driver ? `, ${m.driver}` : ''})\n\n`);
        tip.appendText(`SSH: ${endpointText(m)}${m.ssh.identityFile ? ` with key ${m.ssh.identityFile}` : ''}; host keys: ${m.ssh.hostKeys === 'pinned' ? 'pinned on first use' : 'your known_hosts'}\n`);
        if (m.engine) tip.appendText(`Engine: ${m.engine.host}${m.engine.tls ? ' (TLS)' : ''}\n`);
        tip.appendText(`From ${m.origin}\n`);
        for (const w of warnings) tip.appendText(`\n⚠ ${w}`);
        tip.appendMarkdown('\n\nExpand to connect and read its status.');
        item.tooltip = tip;
        item.iconPath = warnings.length ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon(SOURCE_ICONS[m.source]);
        item.contextValue = `node=machine,source=${m.source}${m.engine ? ',engine=true' : ''}${warnings.length ? ',warnings=true' : ''}`;
        return item;
      }
      case 'problem': {
        const p = node.problem;
        const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
        item.id = `problem:${p.source}:${p.name}:${p.origin}`;
        item.description = firstLine(p.message);
        item.tooltip = `${p.origin}: ${p.message}\n\nThe other machines are listed as usual.`;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.contextValue = `node=problem,source=${p.source}`;
        return item;
      }
      case 'status': {
        const l = node.line;
        const item = new vscode.TreeItem(l.label, vscode.TreeItemCollapsibleState.None);
        item.description = l.description;
        item.tooltip = l.tooltip;
        const icons: Record<StatusLine['kind'], string> = { reachable: 'plug', daemon: 'server-process', lastDeploy: 'cloud-upload', backups: 'archive', error: 'error' };
        item.iconPath = l.ok ? new vscode.ThemeIcon(icons[l.kind]) : new vscode.ThemeIcon(l.kind === 'error' ? 'error' : 'warning', new vscode.ThemeColor(l.kind === 'error' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
        item.contextValue = `node=status,kind=${l.kind},ok=${l.ok}`;
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
