import * as fs from 'fs';
import * as path from 'path';
import { deployFilesFrom } from '../core/deploy/deployFiles';
import type { DeployMode, DeployOptions, DeployPlan } from '../core/deploy/deployPlan';
import { DeployResult, deployToMachines, rollbackMachine } from '../core/deploy/deployRunner';
import { machineStatus } from '../core/deploy/machineStatus';
import { planLines } from '../core/deploy/planText';
import { detectRepository } from '../core/repo/detect';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';
import { cliConfirmHostKey, deployState, lookUpMachines, MACHINE_LOOKUP_OPTIONS } from './machineLookup';

export const DEPLOY_USAGE = 'dockerfork deploy MACHINE... [--from PATH] [--mode replace|dropin] [--dest DIR] [--restart CMD] [--daemon-host URL] [--dry-run] [--json]';
export const DEPLOY_SUMMARY = `Install built binaries on machines over SSH, restart the daemon and check it
reports the commit built; roll back automatically when it does not. PATH is a
bundles/ folder, a binary-daemon folder, docker-ce's static .tgz or a binary
(default: bundles/ of the repository here). The plan is printed first; files
already there (same sha256) are skipped. Several machines deploy in parallel.
More: --remote-state-dir DIR, --dropin-dir DIR, --verify-timeout SEC, --force,
--accept-new-host-key, --storage-path DIR, --cwd DIR.`;
export const ROLLBACK_USAGE = 'dockerfork rollback MACHINE... [--json]';
export const ROLLBACK_SUMMARY = `Undo the last deploy to each machine: restore the binaries it replaced, remove
what it added (its systemd drop-in too), restart and check the daemon.`;
export const STATUS_USAGE = 'dockerfork status MACHINE [--json] [--daemon-host URL]';
export const STATUS_SUMMARY = `Connect to a machine and report: reachable, the dockerd version and commit it
runs, what was deployed there last, and the backups kept there.`;

const CONNECT_OPTIONS = { ...MACHINE_LOOKUP_OPTIONS, json: 'boolean', 'accept-new-host-key': 'boolean' } as const;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function printPlan(io: CliIo, plan: DeployPlan): void {
  io.out(planLines(plan).join('\n') + '\n');
}

function deployOptions(flags: Map<string, string | true>): DeployOptions {
  const mode = flags.get('mode');
  if (mode !== undefined && mode !== 'replace' && mode !== 'dropin') throw new UsageError(`--mode is replace or dropin, not '${String(mode)}'`);
  const timeout = flags.get('verify-timeout');
  if (timeout !== undefined && !(Number(timeout) > 0)) throw new UsageError(`--verify-timeout takes seconds, not '${String(timeout)}'`);
  const str = (k: string) => (flags.has(k) ? String(flags.get(k)) : undefined);
  for (const k of ['dest', 'remote-state-dir', 'dropin-dir']) if (str(k) && !str(k)!.startsWith('/')) throw new UsageError(`--${k} must be an absolute path on the machine, not '${str(k)}'`);
  return {
    mode: mode as DeployMode | undefined,
    dest: str('dest'),
    restart: str('restart'),
    daemonHost: str('daemon-host'),
    remoteStateDir: str('remote-state-dir'),
    dropInDir: str('dropin-dir'),
    verifyTimeoutSec: timeout === undefined ? undefined : Number(timeout),
    force: flags.has('force'),
  };
}

async function defaultSource(io: CliIo, flags: Map<string, string | true>): Promise<string> {
  if (flags.has('from')) return path.resolve(io.cwd, String(flags.get('from')));
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const repo = await detectRepository(cwd);
  const bundles = repo && path.join(repo.root, 'bundles');
  if (!bundles || !fs.existsSync(bundles)) throw new UsageError(`nothing to deploy: no bundles/ in ${repo?.root ?? cwd}; build first or give --from PATH`);
  return bundles;
}

export async function deployCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, {
    ...CONNECT_OPTIONS, from: 'string', mode: 'string', dest: 'string', restart: 'string', 'daemon-host': 'string', 'remote-state-dir': 'string', 'dropin-dir': 'string', 'verify-timeout': 'string', force: 'boolean', 'dry-run': 'boolean',
  });
  if (help) return printCommandHelp(io, DEPLOY_USAGE, DEPLOY_SUMMARY);
  const options = deployOptions(flags);
  const machines = await lookUpMachines(positionals, flags, io);
  const json = flags.has('json');
  // Hashed and version-read while the machines are connected to.
  const pending = deployFilesFrom([await defaultSource(io, flags)], signal);
  pending.then((set) => set.notes.forEach((n) => io.err(`note: ${n}\n`))).catch(() => undefined);
  const log = json ? () => undefined : (t: string) => io.out(t);
  try {
    const shown = new Map<string, number>();
    const results = await deployToMachines(machines, pending, options, {
      ...deployState(),
      confirmHostKey: cliConfirmHostKey(io, flags.has('accept-new-host-key')),
      signal,
      dryRun: flags.has('dry-run'),
      listener: {
        plan: (_m, plan) => !json && printPlan(io, plan),
        step: (m, step, state, detail) => state !== 'start' && log(`${m}: ${step} ${state}${detail ? `: ${detail.split('\n')[0]}` : ''}\n`),
        bytes: (m, file, sent, total) => {
          // A line per quarter of each file: readable in a log, and a sign of life.
          const quarter = total ? Math.floor((sent / total) * 4) : 4;
          const key = `${m}\0${file}`;
          if ((shown.get(key) ?? -1) >= quarter) return;
          shown.set(key, quarter);
          log(`${m}: upload ${file} ${mib(sent)} / ${mib(total)}\n`);
        },
        log: (m, line) => log(`${m}: ${line}\n`),
      },
    });
    report(io, results, json);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await pending.then((set) => set.dispose()).catch(() => undefined);
  }
}

function report(io: CliIo, results: readonly DeployResult[], json: boolean): void {
  if (json) {
    io.out(JSON.stringify(results.map((r) => ({ machine: r.machine, ok: r.ok, upToDate: r.upToDate ?? false, rolledBack: r.rolledBack ?? false, failedStep: r.failedStep ?? null, error: r.error ?? null, daemon: r.daemon ?? null, id: r.plan?.id ?? null, bytesSent: r.bytesSent, durationMs: r.durationMs })), null, 2) + '\n');
    return;
  }
  io.out(`\nSummary:\n`);
  for (const r of results) {
    const what = r.ok ? (r.upToDate ? 'up to date' : `deployed, the daemon runs ${r.daemon?.version ?? '?'} (${r.daemon?.commit || 'no commit'})`) : r.rolledBack ? `FAILED at ${r.failedStep}, rolled back` : `FAILED${r.failedStep ? ` at ${r.failedStep}` : ''}`;
    io.out(`  ${r.machine}: ${what} (${(r.durationMs / 1000).toFixed(1)} s)\n`);
    if (r.error) io.err(`${r.error.split('\n').map((l, i) => (i ? `    ${l}` : `  ${l}`)).join('\n')}\n`);
  }
}

export async function rollbackCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { ...CONNECT_OPTIONS, 'remote-state-dir': 'string' });
  if (help) return printCommandHelp(io, ROLLBACK_USAGE, ROLLBACK_SUMMARY);
  const machines = await lookUpMachines(positionals, flags, io);
  const json = flags.has('json');
  const ctx = { ...deployState(), confirmHostKey: cliConfirmHostKey(io, flags.has('accept-new-host-key')), listener: { step: (m: string, step: string, state: string, detail?: string) => !json && state !== 'start' && io.out(`${m}: ${step} ${state}${detail ? `: ${detail.split('\n')[0]}` : ''}\n`) } };
  const remoteStateDir = flags.has('remote-state-dir') ? String(flags.get('remote-state-dir')) : undefined;
  const results = await Promise.all(machines.map((m) => rollbackMachine(m, ctx, remoteStateDir)));
  if (json) io.out(JSON.stringify(results, null, 2) + '\n');
  else {
    for (const r of results) {
      if (r.ok) io.out(`${r.machine}: rolled back ${r.restoredId}; the daemon runs ${r.daemon?.version} (${r.daemon?.commit || 'no commit'})\n`);
      else io.err(`${r.error}\n`);
    }
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

export async function statusCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { ...CONNECT_OPTIONS, 'daemon-host': 'string' });
  if (help) return printCommandHelp(io, STATUS_USAGE, STATUS_SUMMARY);
  if (positionals.length !== 1) throw new UsageError('status takes one machine');
  const [machine] = await lookUpMachines(positionals, flags, io);
  const s = await machineStatus(machine, { ...deployState(), confirmHostKey: cliConfirmHostKey(io, flags.has('accept-new-host-key')), signal, daemonHost: flags.has('daemon-host') ? String(flags.get('daemon-host')) : undefined });
  if (flags.has('json')) {
    io.out(JSON.stringify(s, null, 2) + '\n');
  } else {
    io.out(`${s.machine}: ${s.reachable ? 'reachable' : 'NOT reachable'}\n`);
    if (s.error) io.out(`  ${s.error.replace(/\n/g, '\n  ')}\n`);
    if (s.reachable) io.out(s.daemon ? `  dockerd ${s.daemon.version}, commit ${s.daemon.commit || '(none)'} at ${s.daemonHost}\n` : `  the daemon does not answer at ${s.daemonHost}: ${s.daemonError}\n`);
    if (s.lastDeploy) io.out(`  last deploy: ${s.lastDeploy.id} at ${s.lastDeploy.at} (${s.lastDeploy.state}) into ${s.lastDeploy.dest}${s.lastDeploy.commit ? `, commit ${s.lastDeploy.commit}` : ''}${s.runsLastDeploy === undefined ? '' : s.runsLastDeploy ? ' — running' : ' — NOT what runs now'}\n`);
    else io.out('  nothing deployed from here\n');
    if (s.reachable) io.out(`  backups kept: ${s.backups.length ? s.backups.join(', ') : 'none'}\n`);
  }
  return s.reachable ? 0 : 1;
}
