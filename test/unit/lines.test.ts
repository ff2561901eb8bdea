import * as assert from 'assert';
import { stripVTControlCharacters } from 'util';
import { LineSplitter, splitLines, stripAnsi } from '../../src/core/util/lines';

function splitInPieces(text: string, cuts: number[], options?: ConstructorParameters<typeof LineSplitter>[0]): string[] {
  const s = new LineSplitter(options);
  const out: string[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(...s.feed(text.slice(at, cut)));
    at = cut;
  }
  return [...out, ...s.flush()];
}

describe('one line splitter for progress, problems and the build stream', () => {
  const text = 'Step 1/3 : FROM x\r\n#5 0.512 daemon/x.go:1:2: bad\n50%\r75%\r100%\n\nlast without end';
  const expected = ['Step 1/3 : FROM x', '#5 0.512 daemon/x.go:1:2: bad', '50%', '75%', '100%', '', 'last without end'];

  it('ends lines at \\n, \\r\\n and a lone \\r (progress bars), and keeps an unfinished last line for flush', () => {
    assert.deepStrictEqual(splitLines(text), expected);
  });

  it('gives the same lines however the text is cut into chunks, including between \\r and \\n', () => {
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 5) {
        assert.deepStrictEqual(splitInPieces(text, [a, b]), expected, `cut at ${a} and ${b}`);
      }
    }
    // One character at a time, as a slow pipe may deliver it.
    assert.deepStrictEqual(splitInPieces(text, [...text].map((_, i) => i)), expected);
  });

  it('does not invent an empty line when \\r\\n is split across chunks', () => {
    const s = new LineSplitter();
    assert.deepStrictEqual(s.feed('a\r'), ['a']);
    assert.deepStrictEqual(s.feed('\nb\n'), ['b']);
    assert.deepStrictEqual(s.feed('\r'), ['']);
    assert.deepStrictEqual(s.feed('c\n'), ['c'], 'a \\r not followed by \\n ends its line only');
  });

  it('gives the lines containing a needle, however the text is cut, skipping chunks without one', () => {
    const needles = ['.go:', '# '];
    const log = 'noise\r\n# github.com/docker/docker/daemon\nmore noise\rdaemon/daemon.go:6:2: x declared but not used\r\nnoise\nx.go:1:1: last';
    const want = splitLines(log).filter((l) => needles.some((n) => l.includes(n)));
    assert.strictEqual(want.length, 3);
    for (let a = 0; a <= log.length; a++) {
      for (let b = a; b <= log.length; b += 3) {
        const s = new LineSplitter();
        const got: string[] = [];
        for (const piece of [log.slice(0, a), log.slice(a, b), log.slice(b)]) s.eachContaining(piece, needles, (l) => got.push(l));
        got.push(...s.flush().filter((l) => needles.some((n) => l.includes(n))));
        assert.deepStrictEqual(got, want, `cut at ${a} and ${b}`);
      }
    }
  });

  it('caps a line without newlines, so a flood without line ends cannot grow memory', () => {
    const s = new LineSplitter({ maxLineLength: 10 });
    for (let i = 0; i < 1000; i++) s.feed('xxxxxxxxxxxxxxxxxxxx');
    assert.deepStrictEqual(s.feed('yy\nz\n'), ['xxxxxxxxxx', 'z']);
  });
});

describe('one ANSI stripper', () => {
  it('removes colours, cursor moves and window titles, and keeps the text', () => {
    const coloured = '\u001b[1m\u001b[31mdaemon/x.go:1:2:\u001b[0m bad \u001b[2K\u001b[1Gdone\u001b]0;title\u0007!';
    assert.strictEqual(stripAnsi(coloured), 'daemon/x.go:1:2: bad done!');
    assert.strictEqual(stripAnsi(coloured), stripVTControlCharacters(coloured));
    assert.strictEqual(stripAnsi('plain'), 'plain');
  });
});
