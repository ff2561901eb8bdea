import * as assert from 'assert';
import { OutputWindow } from '../../src/core/util/outputWindow';

/**
 * A consumer whose round trips the test completes by hand. This stands in
 * for a workbench that falls behind a log flood, which a unit test cannot
 * produce with the real one (bench/logFlood.ts measures that).
 */
function slowConsumer() {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  return {
    written,
    pendingTrips: () => pending.length,
    ack: async () => {
      pending.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    },
    consumer: {
      write: (t: string) => written.push(t),
      roundTrip: () => new Promise<void>((r) => pending.push(r)),
      skippedNotice: (lines: number, chars: number) => `[skipped ${lines} lines, ${chars} chars]\n`,
    },
  };
}

describe('output window towards a workbench without flow control', () => {
  it('writes at once, in order, while the window has room', () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 100, keepTail: 40 });
    for (const t of ['a\n', 'b\n', 'c\n']) w.write(t);
    assert.deepStrictEqual(c.written, ['a\n', 'b\n', 'c\n']);
    assert.strictEqual(c.pendingTrips(), 0, 'no round trip for a little output');
  });

  it('holds output once the window is full, sends it when the workbench has caught up, and then drains', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 20, keepTail: 1000 });
    w.write('0123456789\n'); // 11
    w.write('0123456789\n'); // 22: window full
    w.write('held\n');
    assert.deepStrictEqual(c.written, ['0123456789\n', '0123456789\n']);
    assert.ok(c.pendingTrips() > 0);
    let drained = false;
    const draining = w.drain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    assert.ok(!drained, 'output still waits');
    await c.ack();
    await draining;
    assert.deepStrictEqual(c.written.join(''), '0123456789\n0123456789\nheld\n');
  });

  it('keeps only the tail, from a line start, of output that waits too long, and says how much was left out', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 10, keepTail: 30 });
    w.write('first line\n'); // fills the window
    const lines = Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`); // 8 chars each
    for (const l of lines) w.write(l);
    await c.ack();
    await w.drain();
    const out = c.written.join('');
    const shown = lines.filter((l) => out.includes(l));
    assert.ok(out.startsWith('first line\n'));
    assert.deepStrictEqual(shown, lines.slice(lines.length - shown.length), 'the last lines, none cut in the middle');
    assert.ok(shown.length >= 3 && shown.length < lines.length, `shown ${shown.length}`);
    const notice = /\[skipped (\d+) lines, (\d+) chars\]/.exec(out);
    assert.ok(notice, out);
    assert.strictEqual(Number(notice[1]) + shown.length, lines.length, 'every line is either shown or counted');
    assert.strictEqual(Number(notice[2]), (lines.length - shown.length) * 8);
  });

  it('does not stall when a round trip fails (the workbench went away)', async () => {
    const written: string[] = [];
    const w = new OutputWindow({ write: (t) => written.push(t), roundTrip: () => Promise.reject(new Error('gone')), skippedNotice: () => '' }, { window: 5, keepTail: 100 });
    w.write('123456\n');
    w.write('after\n');
    await w.drain();
    assert.deepStrictEqual(written, ['123456\n', 'after\n']);
  });
});
