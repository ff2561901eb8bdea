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

/** 1234567 as 1,234,567, without toLocaleString: its first call loads locale data, a 60 ms stall of the host in a log flood. */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function skippedNotice(lines: number, chars: number): string {
  return `${RESET}${DIM}⋯ ${groupThousands(lines)} lines (${(chars / 1024 / 1024).toFixed(1)} MiB) not shown: output came faster than a terminal can show it; progress and Problems saw every line.${RESET}\n`;
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
  /** Why the build could not start, told once the terminal opens. */
  private refused: string | undefined;
  private markOpen!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.markOpen = resolve));
  private pending: string[] = [];
  private pendingChars = 0;
  private flushScheduled = false;
  private readonly output = new OutputWindow(
    {
      // Line ends converted only for what is sent: output the window leaves out is never copied.
      write: (text) => this.writer.fire(toTerminal(text)),
      roundTrip: () => Promise.resolve(workbenchRoundTrip()),
      skippedNotice,
    },
    // Nothing reaches the workbench before the terminal is open there.
    { held: true },
  );

  constructor(private readonly service: BuildService, private readonly repo: DetectedRepository, private readonly recipe: BuildRecipe) {}

  /**
   * Starts the build now, before the workbench has made the terminal (that
   * takes it a good part of a second on a slow machine, which the build
   * need not wait for): output waits for open(), which shows it, or its
   * tail. open() starts the build itself when nobody started it before.
   */
  start(): void {
    if (this.build || this.refused !== undefined) return;
    try {
      this.build = this.service.start(this.repo, this.recipe, (e) => this.write(e));
    } catch (e) {
      this.refused = e instanceof BuildBusyError ? `${e.message}. Stop it first (Docker Fork: Stop Build).` : e instanceof Error ? e.message : String(e);
      return;
    }
    void this.build.done.then(async (result) => {
      this.flush();
      await this.opened;
      await this.output.drain();
      // A cancelled build closes without an exit code: VS Code then marks the tab neither failed nor succeeded.
      if (result.cancelled) this.closer.fire();
      else this.closer.fire(result.error ? 1 : result.exitCode ?? 1);
    });
  }

  open(): void {
    this.start();
    if (this.refused !== undefined) {
      this.writer.fire(`${RED}${toTerminal(this.refused)}${RESET}\r\n`);
      this.closer.fire(1);
      return;
    }
    this.output.open();
    this.markOpen();
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
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.output.write(text);
  }
}
