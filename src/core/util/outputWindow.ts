/** Where an OutputWindow writes, and how it learns what has arrived. */
export interface WindowedConsumer {
  write(text: string): void;
  /**
   * Resolves once everything written before the call has reached the
   * consumer (a round trip over the same ordered channel).
   */
  roundTrip(): Promise<unknown>;
  /** The line written in place of output skipped while the consumer caught up. */
  skippedNotice(lines: number, chars: number): string;
}

export interface OutputWindowOptions {
  /** Characters that may be on their way, unacknowledged, before writing waits. */
  readonly window?: number;
  /** While waiting, only the latest this many characters (whole lines) are kept. */
  readonly keepTail?: number;
}

/**
 * Flow control for a consumer that has none of its own: VS Code takes
 * everything an extension terminal writes at once and queues it towards the
 * workbench, so a log flood fills that queue for tens of seconds and every
 * other message from the extension host waits behind it. At most `window`
 * characters are in flight; beyond that output waits, and when it waits for
 * long only its tail is kept (a terminal shows the last lines of a flood
 * anyway), with a notice counting the lines left out.
 */
export class OutputWindow {
  private readonly window: number;
  private readonly keepTail: number;
  private unacked = 0;
  private probing = false;
  private waiting: string[] = [];
  private waitingChars = 0;
  private skippedLines = 0;
  private skippedChars = 0;
  private drained: Array<() => void> = [];

  constructor(private readonly consumer: WindowedConsumer, options: OutputWindowOptions = {}) {
    // 512 KiB in flight: over 50 MB/s at the 5-10 ms a round trip takes when the
    // workbench keeps up, and about half a second of work when it is slow
    // (measured: about 1 MB/s on a loaded 2-core machine). 128 KiB of tail
    // is more than a terminal's default 1000 lines of scrollback.
    this.window = options.window ?? 512 * 1024;
    this.keepTail = options.keepTail ?? 128 * 1024;
  }

  write(text: string): void {
    if (this.waiting.length === 0 && this.unacked < this.window) {
      this.send(text);
      return;
    }
    this.waiting.push(text);
    this.waitingChars += text.length;
    // Trimmed only now and then: each trim copies what waits once.
    if (this.waitingChars > 8 * this.keepTail) this.trim();
    this.probe();
  }

  /** Resolves once nothing is waiting any more (all written or skipped), for the terminal to close after. */
  drain(): Promise<void> {
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
    this.consumer.roundTrip().then(settled, settled);
  }

  private release(): void {
    if (this.waiting.length > 0 && this.unacked < this.window) {
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

  /** Keeps the last keepTail characters, from a line start, and counts what goes. */
  private trim(): void {
    const all = this.waiting.join('');
    let cut = all.length - this.keepTail;
    const lineStart = all.indexOf('\n', cut);
    if (lineStart >= 0) cut = lineStart + 1;
    for (let i = all.indexOf('\n'); i >= 0 && i < cut; i = all.indexOf('\n', i + 1)) this.skippedLines++;
    this.skippedChars += cut;
    this.waiting = [all.slice(cut)];
    this.waitingChars = all.length - cut;
  }
}
