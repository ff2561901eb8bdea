import * as vscode from 'vscode';
import { BuildEvent } from '../core/build/events';
import { BuildBusyError, BuildService, RunningBuild } from '../build/buildService';
import { BuildRecipe } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';

const DIM = '\u001b[2m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

/** Terminals want CRLF; build output has LF (and its own colours, kept as they are). */
export function toTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/**
 * The terminal of a build task: writes the build's events as they come and
 * closes with its exit code; closing the terminal (or Terminate Task) cancels.
 * Writes are batched per event-loop turn so a log flood cannot starve the host.
 */
export class BuildPseudoterminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private build: RunningBuild | undefined;
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(private readonly service: BuildService, private readonly repo: DetectedRepository, private readonly recipe: BuildRecipe) {}

  open(): void {
    try {
      this.build = this.service.start(this.repo, this.recipe, (e) => this.write(e));
    } catch (e) {
      const message = e instanceof BuildBusyError ? `${e.message}. Stop it first (Docker Fork: Stop Build).` : e instanceof Error ? e.message : String(e);
      this.writer.fire(`${RED}${toTerminal(message)}${RESET}\r\n`);
      this.closer.fire(1);
      return;
    }
    void this.build.done.then((result) => {
      this.flush();
      // A cancelled build closes without an exit code: VS Code then marks the tab neither failed nor succeeded.
      if (result.cancelled) this.closer.fire();
      else this.closer.fire(result.error ? 1 : result.exitCode ?? 1);
    });
  }

  close(): void {
    this.build?.controller.abort();
  }

  private write(e: BuildEvent): void {
    if (e.type === 'log') this.pending.push(e.stream === 'system' ? `${DIM}${toTerminal(e.text)}${RESET}` : toTerminal(e.text));
    else if (e.type === 'artifact') this.pending.push(`${DIM}artifact ${e.artifact.relativePath} (${e.artifact.size} bytes${e.artifact.version ? `, ${e.artifact.version}` : ''})${RESET}\r\n`);
    else return;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.writer.fire(text);
  }
}
