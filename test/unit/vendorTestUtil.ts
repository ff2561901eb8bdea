import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SAMPLES } from './paths';

/** The vendor samples in SAMPLES, by file name; fails loudly when the folder is missing. */
export function vendorSamples(suffix: 'vendor.conf' | 'vendor.mod'): Array<{ name: string; text: string }> {
  assert.ok(fs.existsSync(SAMPLES), `samples folder ${SAMPLES} is missing (set DFW_SAMPLES to point at shared/samples)`);
  const names = fs.readdirSync(SAMPLES).filter((n) => n.endsWith(suffix)).sort();
  assert.ok(names.length >= 2, `expected at least two *${suffix} samples in ${SAMPLES}`);
  return names.map((name) => ({ name, text: fs.readFileSync(path.join(SAMPLES, name), 'utf8') }));
}

/** Text with every LF turned into CRLF. */
export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/**
 * The differences between two texts as line numbers, worked out
 * independently of the code under test (a plain LCS-free walk that is exact
 * when lines are only changed, or inserted/removed at one place).
 */
export function lineDiff(before: string, after: string): { changed: number[]; inserted: number[]; removed: number[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const aMid = a.length - head - tail;
  const bMid = b.length - head - tail;
  const changed: number[] = [];
  const inserted: number[] = [];
  const removed: number[] = [];
  if (aMid === bMid) for (let i = 0; i < aMid; i++) changed.push(head + i + 1);
  else if (aMid === 0) for (let i = 0; i < bMid; i++) inserted.push(head + i + 1);
  else if (bMid === 0) for (let i = 0; i < aMid; i++) removed.push(head + i + 1);
  else throw new Error(`lines ${head + 1}..${head + aMid} were replaced by ${bMid} other lines`);
  return { changed, inserted, removed };
}
