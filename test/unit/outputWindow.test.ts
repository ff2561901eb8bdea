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

  it('holds output once the window is full and sends it when the workbench has caught up', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 20, keepTail: 1000, intervalMs: 0 });
    w.write('0123456789\n'); // 11
    w.write('0123456789\n'); // 22: window full
    w.write('held\n');
    assert.deepStrictEqual(c.written, ['0123456789\n', '0123456789\n']);
    assert.ok(c.pendingTrips() > 0);
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(c.written.length, 2, 'output still waits');
    await c.ack();
    assert.deepStrictEqual(c.written.join(''), '0123456789\n0123456789\nheld\n');
  });

  it('sends what waits at once when the output ends, without waiting for the workbench', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 20, keepTail: 1000, intervalMs: 0 });
    w.write('0123456789\n0123456789\n'); // window full
    w.write('last line\n');
    await w.drain();
    assert.deepStrictEqual(c.written.join(''), '0123456789\n0123456789\nlast line\n');
  });

  it('lets through about one window per interval however fast the workbench answers', async () => {
    const written: string[] = [];
    const w = new OutputWindow({ write: (t) => written.push(t), roundTrip: () => Promise.resolve(), skippedNotice: (n) => `[skipped ${n}]\n` }, { window: 100, keepTail: 50, intervalMs: 40 });
    const started = Date.now();
    const line = '123456789\n';
    while (Date.now() - started < 200) {
      w.write(line);
      await new Promise((r) => setImmediate(r));
    }
    await w.drain();
    const sent = written.join('');
    const skipped = [...sent.matchAll(/\[skipped (\d+)\]/g)].reduce((n, m) => n + Number(m[1]), 0);
    const shown = sent.split('\n').filter((l) => l === '123456789').length;
    assert.ok(skipped > 0, 'a flood is thinned');
    // Five intervals at most 100 characters each, plus the first window and the final tail.
    assert.ok(shown * line.length <= 100 * 7 + 50, `sent ${shown} lines in 200 ms`);
  });

  it('holds everything until opened, then sends the tail with a count of what it left out', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 1000, keepTail: 30, held: true, intervalMs: 0 });
    const lines = Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`); // 8 chars each
    for (const l of lines) w.write(l);
    assert.deepStrictEqual(c.written, [], 'nothing before open');
    let drained = false;
    const draining = w.drain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    assert.ok(!drained, 'a held window drains only once opened');
    w.open();
    await draining;
    const out = c.written.join('');
    assert.ok(out.startsWith('[skipped 17 lines, 136 chars]\n'), out);
    assert.ok(out.endsWith(lines.slice(17).join('')), out);
  });

  it('keeps only the tail, from a line start, of output that waits too long, and says how much was left out', async () => {
    const c = slowConsumer();
    const w = new OutputWindow(c.consumer, { window: 10, keepTail: 30, intervalMs: 0 });
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

  it('counts every line it leaves out however the output was cut into writes', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      let x = seed;
      const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
      const lines = Array.from({ length: 200 }, (_, i) => `${'x'.repeat(rand(30))}line ${i}\n`);
      const text = lines.join('');
      const c = slowConsumer();
      const w = new OutputWindow(c.consumer, { window: 1000, keepTail: 40 + rand(200), held: true, intervalMs: 0 });
      for (let at = 0; at < text.length; ) {
        const n = 1 + rand(150);
        w.write(text.slice(at, at + n));
        at += n;
      }
      w.open();
      await w.drain();
      const out = c.written.join('');
      const notice = /^\[skipped (\d+) lines, (\d+) chars\]\n/.exec(out);
      assert.ok(notice, `seed ${seed}: ${out.slice(0, 80)}`);
      const shown = out.slice(notice[0].length);
      assert.strictEqual(Number(notice[2]) + shown.length, text.length, `seed ${seed}: chars`);
      assert.ok(text.endsWith(shown), `seed ${seed}: the tail`);
      assert.strictEqual(Number(notice[1]), lines.length - shown.split('\n').length + 1, `seed ${seed}: lines`);
      assert.ok(lines.some((l) => shown.startsWith(l)), `seed ${seed}: starts at a line start`);
    }
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
