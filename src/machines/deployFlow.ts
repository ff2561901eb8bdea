// Deploy to Machines…, run: loaded on first use (with the deploy and SSH
// code of the core), never at activation.
import * as vscode from 'vscode';
import { deployFilesFrom, deployFilesFromArtifacts, DeployFileSet } from '../core/deploy/deployFiles';
import type { DeployOptions, DeployPlan } from '../core/deploy/deployPlan';
import { planLines } from '../core/deploy/planText';
import { DeployResult, deployToMachine, DeployStep } from '../core/deploy/deployRunner';
import type { Machine } from '../core/machines';
import type { ConfirmHostKey } from '../core/ssh/hostKeys';
import { formatSize } from '../format';
import { BOLD, DeployTerminal, DIM, GREEN, RED, RESET, startDeployTask, YELLOW } from '../tasks/deployTerminal';
import { MachineService } from './machineService';

/** What to deploy, chosen in the picker or given by the caller. */
export interface DeploySource {
  readonly label: string;
  load(signal: AbortSignal): Promise<DeployFileSet>;
}

export function sourceFromPaths(label: string, paths: readonly string[]): DeploySource {
  return { label, load: (signal) => deployFilesFrom(paths, signal) };
}

export function sourceFromArtifacts(label: string, artifacts: Parameters<typeof deployFilesFromArtifacts>[0]): DeploySource {
  return { label, load: (signal) => deployFilesFromArtifacts(artifacts, signal) };
}

export interface DeployRunOptions {
  readonly machines: readonly Machine[];
  readonly source: DeploySource;
  readonly options: DeployOptions;
  /** Replaces the host key modal (tests, other extensions): a function, never a setting. */
  readonly confirmHostKey?: ConfirmHostKey;
  /** Replaces the plan modal: told every machine's plan, once, before anything changes. */
  readonly confirmPlan?: (plans: readonly DeployPlan[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

/** What the command resolves with: each machine's result, as the CLI's --json reports them. */
export interface DeployCommandResult {
  readonly origin: string;
  readonly results: readonly DeployResult[];
  /** Cancelled before or while deploying (notification Cancel, the terminal closed, the plan refused). */
  readonly cancelled: boolean;
  /** The task terminal's name. */
  readonly terminal: string;
}

const mib = (n: number) => formatSize(n);

export function planText(plan: DeployPlan): string {
  return planLines(plan, { strong: (t) => `${BOLD}${t}${RESET}`, faint: (t) => `${DIM}${t}${RESET}` }).join('\n');
}

/** One line per machine for the confirmation modal. */
export function planSummary(plan: DeployPlan): string {
  const changed = plan.files.filter((f) => !f.unchanged);
  const files = changed.map((f) => `${f.name} (${mib(f.size)})`).join(', ') || 'no file';
  return `${plan.machine}: ${files} → ${plan.dest}${plan.dropIn ? ` + drop-in ${plan.dropIn.path}` : ''}; then ${plan.restart.description}${plan.expectCommit ? `, expecting commit ${plan.expectCommit}` : ''}.`;
}

export const DEPLOY_BUTTON = 'Deploy';

async function askPlans(plans: readonly DeployPlan[]): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `Deploy to ${plans.map((p) => p.machine).join(', ')}?`,
    { modal: true, detail: `${plans.map(planSummary).join('\n')}\n\nWhat is replaced is kept as a backup on each machine; a daemon that does not come back as built is rolled back automatically. The full plan is in the terminal.` },
    DEPLOY_BUTTON,
  );
  return choice === DEPLOY_BUTTON;
}

/**
 * Every machine's plan is asked about once, together: each machine's deploy
 * waits here until every other one has either planned too or ended (failed,
 * up to date), then one answer goes to all.
 */
class PlanGate {
  private readonly waiting = new Map<string, { plan: DeployPlan; resolve: (ok: boolean) => void }>();
  private readonly settled = new Set<string>();
  private asked = false;

  constructor(private readonly names: readonly string[], private readonly ask: (plans: readonly DeployPlan[]) => Promise<boolean>) {}

  confirm(plan: DeployPlan): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.set(plan.machine, { plan, resolve });
      this.settle(plan.machine);
    });
  }

  settle(machine: string): void {
    this.settled.add(machine);
    if (this.asked || this.waiting.size === 0 || !this.names.every((n) => this.settled.has(n))) return;
    this.asked = true;
    const waiting = [...this.waiting.values()];
    void this.ask(waiting.map((w) => w.plan)).then(
      (ok) => waiting.forEach((w) => w.resolve(ok)),
      () => waiting.forEach((w) => w.resolve(false)),
    );
  }
}

function resultLine(r: DeployResult): string {
  const time = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.ok) return `  ${GREEN}✔${RESET} ${r.machine}: ${r.upToDate ? 'up to date' : `deployed; the daemon runs ${r.daemon?.version ?? '?'} (${r.daemon?.commit || 'no commit'})`} (${time})`;
  const what = r.rolledBack ? `FAILED at ${r.failedStep}, ${YELLOW}rolled back automatically${RESET}${RED}` : `FAILED${r.failedStep ? ` at ${r.failedStep}` : ''}`;
  return `  ${RED}✘ ${r.machine}: ${what} (${time})${RESET}\n${(r.error ?? '').split('\n').map((l) => `    ${l}`).join('\n')}`;
}

/** How the notification sums it up: names each machine and, for a failure, the step. */
export function summaryMessage(results: readonly DeployResult[], cancelled: boolean): string {
  const parts = results.map((r) => (r.ok ? `${r.machine}: ${r.upToDate ? 'up to date' : `deployed (${r.daemon?.commit || r.daemon?.version || 'ok'})`}` : `${r.machine}: failed at ${r.failedStep ?? 'start'}${r.rolledBack ? ', rolled back' : ''}`));
  return `${cancelled ? 'Deploy cancelled. ' : ''}${parts.join('; ')}`;
}

/**
 * Deploys to every machine in parallel: the steps of each in a task terminal
 * (plans first, then a confirmation before anything changes, then a
 * summary), and byte progress in a cancellable notification. Cancel, closing
 * the terminal or the caller's signal aborts every machine's deploy.
 */
export async function runDeploy(service: MachineService, log: vscode.LogOutputChannel, run: DeployRunOptions): Promise<DeployCommandResult> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (run.signal?.aborted) abort();
  run.signal?.addEventListener('abort', abort, { once: true });
  const names = run.machines.map((m) => m.name);
  const terminalName = `Deploy to ${names.join(', ')}`;
  const terminal = new DeployTerminal(controller);
  await startDeployTask(terminalName, terminal);
  terminal.line(`${DIM}Deploy ${run.source.label} to ${names.join(', ')} (${run.options.mode ?? 'replace'}${run.options.dest ? ` into ${run.options.dest}` : ''}${run.options.restart ? `, restart with: ${run.options.restart}` : ''})${RESET}`);
  log.info(`Deploy ${run.source.label} to ${names.join(', ')}`);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deploying to ${names.join(', ')}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(abort);
      let fileSet: DeployFileSet;
      try {
        progress.report({ message: `reading ${run.source.label}` });
        fileSet = await run.source.load(controller.signal);
      } catch (e) {
        const message = (e as Error).message;
        terminal.line(`${RED}Nothing deployed: ${message}${RESET}`);
        log.error(`Deploy: ${message}`);
        terminal.end(1);
        void vscode.window.showErrorMessage(`Nothing deployed: ${message}`);
        return { origin: run.source.label, results: [], cancelled: controller.signal.aborted, terminal: terminalName };
      }
      try {
        for (const n of fileSet.notes) terminal.line(`${DIM}note: ${n}${RESET}`);
        terminal.line(`Files: ${fileSet.files.map((f) => `${f.name} (${mib(f.size)}${f.version ? `, ${f.version}` : ''})`).join(', ')}`);
        return await deployAll(service, log, run, fileSet, controller, terminal, progress, terminalName);
      } finally {
        await fileSet.dispose();
      }
    });
  } finally {
    run.signal?.removeEventListener('abort', abort);
    service.refresh();
  }
}

async function deployAll(
  service: MachineService,
  log: vscode.LogOutputChannel,
  run: DeployRunOptions,
  fileSet: DeployFileSet,
  controller: AbortController,
  terminal: DeployTerminal,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  terminalName: string,
): Promise<DeployCommandResult> {
  const names = run.machines.map((m) => m.name);
  const gate = new PlanGate(names, run.confirmPlan ?? askPlans);
  const state = await service.state();
  // Per machine: where it is, and its bytes to upload and sent.
  const phase = new Map<string, string>(names.map((n) => [n, 'connecting']));
  const toSend = new Map<string, number>();
  const sent = new Map<string, number>();
  let reported = 0;
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 200) return;
    lastReport = now;
    const total = [...toSend.values()].reduce((a, b) => a + b, 0);
    const done = [...sent.values()].reduce((a, b) => a + b, 0);
    const percent = total ? Math.min(100, (done / total) * 100) : 0;
    const increment = Math.max(0, percent - reported);
    reported += increment;
    const message = names.map((n) => `${n}: ${phase.get(n)}`).join(' · ');
    progress.report({ message, increment: increment || undefined });
  };
  const quarters = new Map<string, number>();
  const listener = {
    step: (m: string, step: DeployStep, s: 'start' | 'done' | 'failed' | 'skipped', detail?: string) => {
      if (s === 'start') {
        phase.set(m, step);
        report(true);
        return;
      }
      const colour = s === 'failed' ? RED : s === 'done' ? '' : DIM;
      terminal.line(`${colour}${m}: ${step} ${s}${detail ? `: ${detail.split('\n')[0]}` : ''}${colour ? RESET : ''}`);
      (s === 'failed' ? log.warn : log.info).call(log, `${m}: ${step} ${s}${detail ? `: ${detail.split('\n')[0]}` : ''}`);
    },
    plan: (m: string, plan: DeployPlan) => {
      toSend.set(m, plan.files.filter((f) => !f.unchanged).reduce((a, f) => a + f.size, 0));
      terminal.line(planText(plan));
    },
    bytes: (m: string, file: string, bytes: number, total: number) => {
      const key = `${m}\0${file}`;
      sent.set(key, bytes);
      phase.set(m, `upload ${file} ${total ? Math.floor((bytes / total) * 100) : 100}%`);
      // A terminal line per quarter of each file: readable, and a sign of life.
      const quarter = total ? Math.floor((bytes / total) * 4) : 4;
      if ((quarters.get(key) ?? -1) < quarter) {
        quarters.set(key, quarter);
        terminal.line(`${DIM}${m}: upload ${file} ${mib(bytes)} / ${mib(total)}${RESET}`);
      }
      report();
    },
    log: (m: string, line: string) => {
      terminal.line(`${DIM}${m}: ${line}${RESET}`);
      log.info(`${m}: ${line}`);
    },
  };
  const confirmHostKey = service.confirmHostKey(run.confirmHostKey);
  const results = await Promise.all(
    run.machines.map(async (machine) => {
      const r = await deployToMachine(machine, fileSet, run.options, {
        ...state,
        confirmHostKey,
        signal: controller.signal,
        listener,
        confirmPlan: async (plan) => {
          terminal.line(`${DIM}${plan.machine}: waiting for the plan to be confirmed${RESET}`);
          const ok = await gate.confirm(plan);
          if (!ok) controller.abort();
          return ok;
        },
      });
      phase.set(machine.name, r.ok ? 'done' : `failed${r.failedStep ? ` at ${r.failedStep}` : ''}`);
      gate.settle(machine.name);
      report(true);
      return r;
    }),
  );
  const cancelled = controller.signal.aborted;
  terminal.line(`\n${BOLD}Summary${RESET}${cancelled ? ` ${YELLOW}(cancelled)${RESET}` : ''}:`);
  for (const r of results) terminal.line(resultLine(r));
  for (const r of results) (r.ok ? log.info : log.error).call(log, `${r.machine}: ${r.ok ? (r.upToDate ? 'up to date' : `deployed, ${r.daemon?.version} ${r.daemon?.commit}`) : `failed at ${r.failedStep}${r.rolledBack ? ' (rolled back)' : ''}: ${r.error}`}`);
  const ok = results.every((r) => r.ok);
  terminal.end(ok ? 0 : 1);
  const message = summaryMessage(results, cancelled);
  if (ok) void vscode.window.showInformationMessage(message);
  else if (cancelled) void vscode.window.showWarningMessage(message);
  else void vscode.window.showErrorMessage(`${message}. The steps are in the terminal "${terminalName}".`);
  return { origin: fileSet.origin, results, cancelled, terminal: terminalName };
}
