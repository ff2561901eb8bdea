import { promises as fs } from 'fs';

/** One line of a text file: its text and the exact end-of-line bytes that followed it. */
export interface SourceLine {
  /** The line without its line ending (a lone `\r` inside a line stays here). */
  text: string;
  /** `'\n'`, `'\r\n'`, or `''` for a last line with no newline. */
  eol: '\n' | '\r\n' | '';
}

/**
 * Splits text into lines so that `joinLines(splitLines(t)) === t` for every
 * string: line endings are kept per line, so a file mixing CRLF and LF, or
 * lacking a final newline, is written back exactly as read.
 */
export function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    const crlf = nl > start && text.charCodeAt(nl - 1) === 13;
    lines.push({ text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

export function joinLines(lines: readonly SourceLine[]): string {
  let out = '';
  for (const l of lines) out += l.text + l.eol;
  return out;
}

/** The line ending most lines use, for lines an edit adds. */
export function dominantEol(lines: readonly SourceLine[]): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (const l of lines) {
    if (l.eol === '\r\n') crlf++;
    else if (l.eol === '\n') lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** How a file's bytes were turned into text, so they can be turned back exactly. */
export type TextEncoding = 'utf8' | 'latin1';

/**
 * Decodes bytes losslessly: UTF-8 when the bytes are valid UTF-8 (they
 * re-encode to the same bytes), else latin1, which maps every byte to one
 * character, so even binary garbage is written back byte for byte.
 */
export function decodeText(bytes: Buffer): { text: string; encoding: TextEncoding } {
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') === bytes.length && Buffer.from(text, 'utf8').equals(bytes)) return { text, encoding: 'utf8' };
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  return Buffer.from(text, encoding);
}

export async function readTextFile(file: string): Promise<{ text: string; encoding: TextEncoding }> {
  return decodeText(await fs.readFile(file));
}
