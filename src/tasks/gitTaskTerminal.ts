import * as vscode from 'vscode';
import type { ActionOptions } from '../core/git';
import { GitOperationError } from '../core/git';
import { toTerminal } from './buildPseudoterminal';

export const GIT_TASK_TYPE = 'dockerfork-git';

const DIM = '\u001b[2m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

/** How a git action run in a task terminal ended. */
export interface GitTaskOutcome<T> {
  exitCode: 0 | 1;
  result?: T;
  /** The failure as the core reported it (`kind` from GitOperationError, `failed` for anything else). */
  error?: { kind: string; message: string };
}

/**
 * The terminal of one git action: the action's git output line by line as git
 * prints it, then the outcome; closes with 0 or 1. Closing the terminal
 * (or Terminate Task) cancels the action.
 */
class GitPseudoterminal<T> implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly controller = new AbortController();

  constructor(
    private readonly title: string,
    private readonly action: (options: ActionOptions) => Promise<T>,
    private readonly done: (outcome: GitTaskOutcome<T>) => void,
  ) {}

  open(): void {
    this.writer.fire(`${DIM}${toTerminal(this.title)}${RESET}\r\n`);
    const onOutput = (line: string) => this.writer.fire(`${toTerminal(line)}\r\n`);
    this.action({ signal: this.controller.signal, onOutput }).then(
      (result) => this.finish({ exitCode: 0, result }, `${DIM}Done.${RESET}`),
      (e: unknown) => {
        const error = { kind: e instanceof GitOperationError ? e.kind : 'failed', message: e instanceof Error ? e.message : String(e) };
        this.finish({ exitCode: 1, error }, `${RED}${toTerminal(error.message)}${RESET}`);
      },
    );
  }

  private finish(outcome: GitTaskOutcome<T>, lastLine: string): void {
    this.writer.fire(`${lastLine}\r\n`);
    this.done(outcome);
    this.closer.fire(outcome.exitCode);
  }

  close(): void {
    this.controller.abort();
  }
}

/**
 * Runs a git action of the core in a task terminal named `name` and resolves
 * once VS Code has ended the task, with the action's result or its error.
 */
export async function runGitTask<T>(name: string, folder: vscode.WorkspaceFolder | undefined, title: string, action: (options: ActionOptions) => Promise<T>): Promise<GitTaskOutcome<T>> {
  let outcome: GitTaskOutcome<T> | undefined;
  const task = new vscode.Task(
    { type: GIT_TASK_TYPE, name },
    folder ?? vscode.TaskScope.Workspace,
    name,
    'Docker Fork',
    new vscode.CustomExecution(async () => new GitPseudoterminal(title, action, (o) => (outcome = o))),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  // Assigned once the task runs; the end listener may fire before executeTask returns.
  // eslint-disable-next-line prefer-const
  let execution: vscode.TaskExecution | undefined;
  const ended = new Promise<void>((resolve) => {
    const sub = vscode.tasks.onDidEndTask((e) => {
      if (e.execution !== execution && e.execution.task.name !== name) return;
      sub.dispose();
      resolve();
    });
  });
  execution = await vscode.tasks.executeTask(task);
  await ended;
  // A terminal closed before the action started leaves no outcome: that is a cancel.
  return outcome ?? { exitCode: 1, error: { kind: 'cancelled', message: `${name}: cancelled` } };
}
