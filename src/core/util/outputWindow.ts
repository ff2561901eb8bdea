/** Where an OutputWindow writes, and how it learns what has arrived. */
export interface WindowedConsumer {
  write(text: string): void;
  /**
   * Resolves once everything written before the call has reached the
   * consumer (a round trip over the same ordered channel).
   */
  roundTrip(): Promise<unknown>;
  /** The line written in place of output left out (it came faster than the window lets through). */
  skippedNotice(lines: number, chars: number): string;
}

export interface OutputWindowOptions {
  /** Characters that may be on their way, unacknowledged, before writing waits. */
  readonly window?: number;
  /** While waiting, only the latest this many characters (whole lines) are kept. */
  readonly keepTail?: number;
  /**
   * A round trip frees the window no sooner than this many milliseconds
   * after it began, so the consumer gets at most about `window` characters
   * per interval however fast it answers.
   */
  readonly intervalMs?: number;
  /** Hold everything (its tail, as while waiting) until open() is called: the consumer is not there yet. */
  readonly held?: boolean;
}

const NL = 10;

/** Counts `\n` in text (indexOf is native: far faster than a loop over characters). */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Flow control for a consumer that has none of its own: VS Code takes
 * everything an extension terminal writes at once and queues it towards the
 * workbench, so a log flood fills that queue for tens of seconds and every
 * other message from the extension host waits behind it. At most `window`
 * characters are in flight, and at most about that much per `intervalMs`:
 * a terminal that parses and draws a flood as fast as it arrives takes the
 * CPU the build itself needs, to show lines nobody can read at that speed.
 * Output beyond that waits, and only its tail is kept (a terminal shows the
 * last lines of a flood anyway), with a notice counting the lines left out.
 * Output slower than that rate passes at once, untouched.
 */
export class OutputWindow {
  private readonly window: number;
  private readonly keepTail: number;
  private readonly intervalMs: number;
  private unacked = 0;
  private probing = false;
  private waiting: string[] = [];
  private waitingChars = 0;
  private skippedLines = 0;
  private skippedChars = 0;
  private drained: Array<() => void> = [];
  private held: boolean;

  constructor(private readonly consumer: WindowedConsumer, options: OutputWindowOptions = {}) {
    // 64 KiB four times a second: over 2,000 lines a second, more than anyone
    // reads, and a terminal's whole default scrollback (1,000 lines) of
    // tail. Measured on a 2-core machine: a workbench drawing a 50 MiB flood
    // as fast as it could took 2.5 CPU seconds from the build it showed.
    this.window = options.window ?? 64 * 1024;
    this.keepTail = options.keepTail ?? 64 * 1024;
    this.intervalMs = options.intervalMs ?? 250;
    this.held = options.held ?? false;
  }

  /** Ends the hold of a window made `held`: what waited (its tail) is sent. */
  open(): void {
    if (!this.held) return;
    this.held = false;
    this.release(this.drained.length > 0);
  }

  write(text: string): void {
    if (this.waiting.length === 0 && this.unacked < this.window && !this.held) {
      this.send(text);
      return;
    }
    this.waiting.push(text);
    this.waitingChars += text.length;
    if (this.waitingChars > 2 * this.keepTail) this.trim();
    if (!this.held) this.probe();
  }

  /**
   * The output has ended: what waits (at most keepTail, the last lines) is
   * sent at once, not at the next interval, and the promise resolves once
   * nothing waits (at once unless the window is still held), for the
   * terminal to close after.
   */
  drain(): Promise<void> {
    if (!this.held) this.release(true);
    if (this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private send(text: string): void {
    this.consumer.write(text);
    this.unacked += text.length;
    // Probing costs a message too: only once a good part of the window is used.
    if (this.unacked >= this.window / 4) this.probe();
  }

  private probe(): void {
    if (this.probing) return;
    this.probing = true;
    const covered = this.unacked;
    const settled = () => {
      this.probing = false;
      this.unacked -= covered;
      this.release();
    };
    // A failed round trip (the workbench went away) must not stall the build's output.
    const trip = this.consumer.roundTrip().then(
      () => undefined,
      () => undefined,
    );
    if (this.intervalMs > 0) void Promise.all([trip, new Promise((r) => setTimeout(r, this.intervalMs))]).then(settled);
    else void trip.then(settled);
  }

  private release(final = false): void {
    if (this.held) return;
    if (this.waiting.length > 0 && (final || this.unacked < this.window)) {
      this.trim();
      let text = this.waiting.length === 1 ? this.waiting[0] : this.waiting.join('');
      if (this.skippedLines > 0 || this.skippedChars > 0) {
        text = this.consumer.skippedNotice(this.skippedLines, this.skippedChars) + text;
        this.skippedLines = 0;
        this.skippedChars = 0;
      }
      this.waiting = [];
      this.waitingChars = 0;
      this.send(text);
    }
    if (this.waiting.length === 0) this.drained.splice(0).forEach((resolve) => resolve());
    if (this.waiting.length > 0 || this.unacked >= this.window / 4) this.probe();
  }

  /**
   * Keeps the last keepTail characters, from a line start, and counts what
   * goes. Whole pieces are dropped without copying; only what is kept is
   * joined, so trimming costs about keepTail however much waited.
   */
  private trim(): void {
    let excess = this.waitingChars - this.keepTail;
    if (excess <= 0) return;
    let drop = 0;
    while (drop < this.waiting.length && this.waiting[drop].length <= excess) {
      const piece = this.waiting[drop++];
      this.skippedLines += countLines(piece);
      this.skippedChars += piece.length;
      excess -= piece.length;
    }
    const kept = this.waiting.length - drop === 1 ? this.waiting[drop] : this.waiting.slice(drop).join('');
    let cut = excess;
    // Already at a line start when the character before the cut ends a line.
    const before = cut > 0 ? kept.charCodeAt(cut - 1) : drop > 0 ? this.waiting[drop - 1].charCodeAt(this.waiting[drop - 1].length - 1) : NL;
    if (before !== NL) {
      const lineStart = kept.indexOf('\n', cut);
      if (lineStart >= 0) cut = lineStart + 1;
    }
    this.skippedLines += countLines(kept.slice(0, cut));
    this.skippedChars += cut;
    this.waiting = [kept.slice(cut)];
    this.waitingChars = kept.length - cut;
  }
}
