// Rollback, Restart Daemon, the SSH terminals: loaded on first use, with the
// core's deploy and SSH code (chunk "deploy"), never at activation.
import * as vscode from 'vscode';
import { restartDaemon, RestartResult } from '../core/deploy/restartDaemon';
import { RollbackResult, rollbackMachine } from '../core/deploy/deployRunner';
import type { Machine } from '../core/machines';
import type { ConfirmHostKey } from '../core/ssh/hostKeys';
import { sshCommandLine } from '../core/ssh/sshCommandLine';
import { SshSession } from '../core/ssh/sshSession';
import { DeployTerminal, DIM, GREEN, RED, RESET, startDeployTask } from '../tasks/deployTerminal';
import { MachineService } from './machineService';

export { runDeploy, sourceFromArtifacts, sourceFromPaths } from './deployFlow';

/**
 * Rollback of the last deploy to each machine, in a task terminal and a
 * notification: restores what it replaced, restarts and checks the daemon.
 */
export async function runRollback(service: MachineService, log: vscode.LogOutputChannel, machines: readonly Machine[], remoteStateDir: string | undefined, confirmHostKey?: ConfirmHostKey): Promise<RollbackResult[]> {
  const controller = new AbortController();
  const terminal = new DeployTerminal(controller);
  const names = machines.map((m) => m.name).join(', ');
  await startDeployTask(`Roll back ${names}`, terminal);
  const state = await service.state();
  try {
    const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Rolling back ${names}` }, (progress) =>
      Promise.all(
        machines.map(async (m) => {
          const record = await state.records.get(m.name).catch(() => undefined);
          const r = await rollbackMachine(
            m,
            {
              ...state,
              confirmHostKey: service.confirmHostKey(confirmHostKey),
              signal: controller.signal,
              listener: {
                step: (name, step, s, detail) => {
                  if (s === 'start') return progress.report({ message: `${name}: ${step}` });
                  terminal.line(`${s === 'failed' ? RED : ''}${name}: ${step} ${s}${detail ? `: ${detail.split('\n')[0]}` : ''}${s === 'failed' ? RESET : ''}`);
                  log.info(`${name}: rollback ${step} ${s}${detail ? `: ${detail.split('\n')[0]}` : ''}`);
                },
                log: (name, line) => terminal.line(`${DIM}${name}: ${line}${RESET}`),
              },
            },
            // The last deploy's own state folder wins; the setting is for machines deployed from elsewhere.
            record ? undefined : remoteStateDir,
          );
          terminal.line(r.ok ? `${GREEN}✔${RESET} ${m.name}: rolled back ${r.restoredId}; the daemon runs ${r.daemon?.version} (${r.daemon?.commit || 'no commit'})` : `${RED}✘ ${m.name}: rollback failed: ${r.error}${RESET}`);
          return r;
        }),
      ),
    );
    const ok = results.every((r) => r.ok);
    terminal.end(ok ? 0 : 1);
    const message = results.map((r) => (r.ok ? `${r.machine}: rolled back to what ran before ${r.restoredId} (${r.daemon?.version}, ${r.daemon?.commit || 'no commit'})` : `${r.machine}: rollback failed: ${r.error?.split('\n')[0]}`)).join('; ');
    if (ok) void vscode.window.showInformationMessage(message);
    else void vscode.window.showErrorMessage(message);
    for (const r of results) (r.ok ? log.info : log.error).call(log, r.ok ? `${r.machine}: rolled back ${r.restoredId}` : `${r.machine}: rollback failed: ${r.error}`);
    return results;
  } finally {
    terminal.end(1);
    service.refresh();
  }
}

export async function runRestart(service: MachineService, log: vscode.LogOutputChannel, machine: Machine, options: { restart?: string; daemonHost?: string }, confirmHostKey?: ConfirmHostKey): Promise<RestartResult> {
  const state = await service.state();
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Restarting the daemon on ${machine.name}` }, () =>
    restartDaemon(machine, { ...state, confirmHostKey: service.confirmHostKey(confirmHostKey), log: (l) => log.info(`${machine.name}: ${l}`) }, options),
  );
  if (r.ok) {
    log.info(`${machine.name}: ${r.description}: the daemon answers, ${r.daemon?.version} (${r.daemon?.commit || 'no commit'})`);
    void vscode.window.showInformationMessage(`${machine.name}: restarted (${r.description}); the daemon runs ${r.daemon?.version} (${r.daemon?.commit || 'no commit'}).`);
  } else {
    log.error(`${machine.name}: restart failed: ${r.error}`);
    void vscode.window.showErrorMessage(`${machine.name}: restart failed (${r.description}): ${r.error}`);
  }
  service.refresh();
  return r;
}

/**
 * A terminal running `ssh` (argv, no shell) to the machine, with its key and
 * host-key checking; `remoteCommand` (an argv) is quoted by the core. A key
 * to be pinned on first use is asked about (and the login checked) first.
 */
export async function openSshTerminal(service: MachineService, log: vscode.LogOutputChannel, machine: Machine, title: string, remoteCommand?: readonly string[], confirmHostKey?: ConfirmHostKey): Promise<vscode.Terminal | undefined> {
  const state = await service.state();
  if (machine.ssh.hostKeys === 'pinned' && !(await state.pinnedHostKeys.isPinned(machine.ssh.host, machine.ssh.port))) {
    try {
      const session = await SshSession.open(machine, { pinnedHostKeys: state.pinnedHostKeys, confirmHostKey: service.confirmHostKey(confirmHostKey), log: (l) => log.info(`${machine.name}: ${l}`) });
      await session.close();
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
  }
  const shellArgs = sshCommandLine(machine, state.pinnedHostKeys.file, remoteCommand);
  log.info(`${machine.name}: terminal: ssh ${shellArgs.join(' ')}`);
  const terminal = vscode.window.createTerminal({ name: title, shellPath: 'ssh', shellArgs, iconPath: new vscode.ThemeIcon('remote') });
  terminal.show();
  return terminal;
}
