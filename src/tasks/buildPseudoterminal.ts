import * as vscode from 'vscode';
import { BuildEvent } from '../core/build/events';
import { BuildBusyError, BuildService, RunningBuild } from '../build/buildService';
import { BuildRecipe } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';
import { OutputWindow } from '../core/util/outputWindow';

const DIM = '\u001b[2m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

/** Terminals want CRLF; build output has LF (and its own colours, kept as they are). */
export function toTerminal(text: string): string {
  // Most output has no \r at all: a plain replaceAll is several times faster than the regex.
  return text.includes('\r') ? text.replace(/\r?\n/g, '\r\n') : text.replaceAll('\n', '\r\n');
}

/**
 * Output is written to the terminal once per event-loop turn, or as soon as
 * this much is waiting: one write per burst, and no string so large that V8
 * puts it straight into the old generation (large objects start at 128 KiB),
 * where it would bring on the long garbage collections that stall the host.
 */
const MAX_BATCH_CHARS = 48 * 1024;

/**
 * A command that runs in the workbench: its answer comes back over the same
 * ordered channel as terminal output, after everything written before it.
 * Setting a context key to the value it has costs the workbench next to nothing.
 */
function workbenchRoundTrip(): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', 'dockerFork.terminalFlow', true);
}

function skippedNotice(lines: number, chars: number): string {
  return `${RESET}${DIM}⋯ ${lines.toLocaleString('en')} lines (${(chars / 1024 / 1024).toFixed(1)} MiB) not shown while the terminal caught up; progress and Problems saw them all.${RESET}\r\n`;
}

/**
 * The terminal of a build task: writes the build's events as they come and
 * closes with its exit code; closing the terminal (or Terminate Task) cancels.
 * Writes are batched per event-loop turn so a log flood cannot starve the
 * host, and go through an OutputWindow so they cannot bury the workbench.
 */
export class BuildPseudoterminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private build: RunningBuild | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  private flushScheduled = false;
  private readonly output = new OutputWindow({
    write: (text) => this.writer.fire(text),
    roundTrip: () => Promise.resolve(workbenchRoundTrip()),
    skippedNotice,
  });

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
    void this.build.done.then(async (result) => {
      this.flush();
      await this.output.drain();
      // A cancelled build closes without an exit code: VS Code then marks the tab neither failed nor succeeded.
      if (result.cancelled) this.closer.fire();
      else this.closer.fire(result.error ? 1 : result.exitCode ?? 1);
    });
  }

  close(): void {
    this.build?.controller.abort();
  }

  private write(e: BuildEvent): void {
    let text: string;
    if (e.type === 'log') text = e.stream === 'system' ? `${DIM}${e.text}${RESET}` : e.text;
    else if (e.type === 'artifact') text = `${DIM}artifact ${e.artifact.relativePath} (${e.artifact.size} bytes${e.artifact.version ? `, ${e.artifact.version}` : ''})${RESET}\n`;
    else return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= MAX_BATCH_CHARS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  private readonly flushSoon = () => {
    this.flushScheduled = false;
    this.flush();
  };

  private flush(): void {
    if (this.pending.length === 0) return;
    // Line ends converted once per batch, not once per chunk.
    const text = toTerminal(this.pending.length === 1 ? this.pending[0] : this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
    this.output.write(text);
  }
}
