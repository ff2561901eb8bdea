import { stripVTControlCharacters } from 'util';

/**
 * Text as a parser should see it: colours, cursor moves and window titles
 * (CSI and OSC sequences) removed. The terminal keeps the original.
 */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') || text.includes('\u009b') ? stripVTControlCharacters(text) : text;
}

export interface LineSplitterOptions {
  /**
   * A line longer than this is cut to its first `maxLineLength` characters,
   * so output without newlines cannot grow memory without bound.
   */
  readonly maxLineLength?: number;
}

const NL = 10;

/**
 * Splits text that arrives in arbitrary chunks into lines. A line ends at
 * `\n`, `\r\n` or a lone `\r` (progress bars redraw a line with `\r`); a
 * `\r\n` split between two chunks is still one line end. Line ends are not
 * part of the lines returned.
 */
export class LineSplitter {
  private carry = '';
  /** The last chunk ended in `\r`: a `\n` starting the next one belongs to it. */
  private afterCR = false;
  private readonly maxLineLength: number;

  constructor(options: LineSplitterOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
  }

  /** The complete lines in `chunk`, with the part of a line kept from earlier chunks. */
  feed(chunk: string): string[] {
    const lines: string[] = [];
    this.each(chunk, (l) => lines.push(l));
    return lines;
  }

  /** Like feed, calling `onLine` for each complete line instead of building an array. */
  each(chunk: string, onLine: (line: string) => void): void {
    if (chunk.length === 0) return;
    let start = 0;
    if (this.afterCR && chunk.charCodeAt(0) === NL) start = 1;
    this.afterCR = false;
    const len = chunk.length;
    // indexOf is native and far faster than a per-character loop; the next
    // \r is remembered, so a chunk with one \r is not searched once per line.
    let cr = chunk.indexOf('\r', start);
    while (start < len) {
      let end = chunk.indexOf('\n', start);
      let next = end + 1;
      if (cr >= 0) {
        if (cr < start) cr = chunk.indexOf('\r', start);
        if (cr >= 0 && (end < 0 || cr < end)) {
          end = cr;
          if (cr + 1 === len) {
            next = len;
            this.afterCR = true;
          } else {
            next = chunk.charCodeAt(cr + 1) === NL ? cr + 2 : cr + 1;
          }
        }
      }
      if (end < 0) break;
      const piece = chunk.slice(start, end);
      if (this.carry) {
        onLine(this.cap(this.carry + piece));
        this.carry = '';
      } else {
        onLine(this.cap(piece));
      }
      start = next;
    }
    if (start < len) this.carry = this.cap(this.carry + chunk.slice(start));
  }

  /**
   * Like each, for only the lines that contain one of `needles`. Under a
   * log flood most chunks contain none: those cost two native searches and
   * no line is cut out of them.
   */
  eachContaining(chunk: string, needles: readonly string[], onLine: (line: string) => void): void {
    const has = (text: string) => needles.some((n) => text.includes(n));
    if (has(chunk)) {
      this.each(chunk, (line) => has(line) && onLine(line));
      return;
    }
    if (chunk.length === 0) return;
    // No line of this chunk matches, except perhaps the one it finishes from
    // the text carried over: a needle can straddle the chunk boundary.
    const start = this.afterCR && chunk.charCodeAt(0) === NL ? 1 : 0;
    this.afterCR = false;
    const firstNL = chunk.indexOf('\n', start);
    const firstCR = chunk.indexOf('\r', start);
    const firstEnd = firstNL < 0 ? firstCR : firstCR < 0 ? firstNL : Math.min(firstNL, firstCR);
    if (firstEnd < 0) {
      this.carry = this.cap(this.carry + chunk.slice(start));
      return;
    }
    if (this.carry) {
      const first = this.cap(this.carry + chunk.slice(start, firstEnd));
      if (has(first)) onLine(first);
      this.carry = '';
    }
    const lastNL = chunk.lastIndexOf('\n');
    // lastIndexOf is a slow scan in V8: skip it when the chunk has no \r at all.
    const lastCR = firstCR < 0 ? -1 : chunk.lastIndexOf('\r');
    const lastEnd = Math.max(lastNL, lastCR);
    if (lastEnd === chunk.length - 1) {
      this.afterCR = lastCR === lastEnd;
      return;
    }
    this.carry = this.cap(chunk.slice(lastEnd + 1));
  }

  /** The unfinished last line, once the stream has ended (empty when there is none). */
  flush(): string[] {
    const last = this.carry;
    this.carry = '';
    this.afterCR = false;
    return last ? [last] : [];
  }

  private cap(line: string): string {
    return line.length > this.maxLineLength ? line.slice(0, this.maxLineLength) : line;
  }
}

/** Splits a whole text into lines, with the same line ends as LineSplitter. */
export function splitLines(text: string): string[] {
  const splitter = new LineSplitter({ maxLineLength: Number.MAX_SAFE_INTEGER });
  return [...splitter.feed(text), ...splitter.flush()];
}
