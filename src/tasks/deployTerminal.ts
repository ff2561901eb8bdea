import * as vscode from 'vscode';
import { toTerminal } from './buildPseudoterminal';

export const DEPLOY_TASK_TYPE = 'dockerfork-deploy';

export const DIM = '\u001b[2m';
export const RED = '\u001b[31m';
export const GREEN = '\u001b[32m';
export const YELLOW = '\u001b[33m';
export const BOLD = '\u001b[1m';
export const RESET = '\u001b[0m';

/**
 * The terminal of a deploy (or rollback) task: lines written before VS Code
 * opened it are kept and shown on open; it closes with the exit code given
 * to end(). Closing the terminal (or Terminate Task) aborts `controller`.
 */
export class DeployTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private opened = false;
  private ended: number | undefined;
  private buffered: string[] = [];

  constructor(private readonly controller: AbortController) {}

  open(): void {
    this.opened = true;
    if (this.buffered.length) this.writer.fire(this.buffered.join(''));
    this.buffered = [];
    if (this.ended !== undefined) this.closer.fire(this.ended);
  }

  /** Writes text (LF line ends) as it is; colours are the caller's. */
  write(text: string): void {
    const t = toTerminal(text);
    if (this.opened) this.writer.fire(t);
    else this.buffered.push(t);
  }

  line(text: string): void {
    this.write(`${text}\n`);
  }

  end(exitCode: number): void {
    if (this.ended !== undefined) return;
    this.ended = exitCode;
    if (this.opened) this.closer.fire(exitCode);
  }

  close(): void {
    if (this.ended === undefined) this.controller.abort();
  }
}

/** Shows `terminal` as a task named `name`; resolves once the task has started (the terminal is open or opening). */
export async function startDeployTask(name: string, terminal: DeployTerminal): Promise<vscode.TaskExecution> {
  const task = new vscode.Task({ type: DEPLOY_TASK_TYPE, name }, vscode.TaskScope.Workspace, name, 'Docker Fork', new vscode.CustomExecution(async () => terminal));
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, focus: false };
  return vscode.tasks.executeTask(task);
}
