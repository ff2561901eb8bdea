import * as assert from 'assert';
import { decodeText, encodeText, GoModFile, lintGoMod, lintVendorConf, VendorConf } from '../../src/core/vendor';

/** mulberry32: a small seeded PRNG, so a failure can be replayed from the seed in its message. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number) => Math.floor(r() * n);

function word(r: Rand): string {
  return pick(r, ['github.com/a/b', 'golang.org/x/net', 'v1.2.3', 'deadbeef', 'https://e.com/x.git', 'a', '#', '//', '=>', '(', ')', '"q"', '`b`', 'require', 'replace', 'é', '\t', '\r']);
}

/** Random bytes, decoded the lossless way the core reads files. */
function garbage(r: Rand, n: number): string {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return decodeText(b).text;
}

function randomLine(r: Rand): string {
  switch (int(r, 9)) {
    case 0:
      return '';
    case 1:
      return `# ${word(r)} ${word(r)}`;
    case 2:
      return `github.com/o${int(r, 30)}/r${int(r, 5)}${' '.repeat(1 + int(r, 20))}${pick(r, ['v1', 'abc123', 'v0.0.0-x'])}${r() < 0.3 ? ` https://e.com/${int(r, 9)}.git` : ''}${r() < 0.4 ? `${' '.repeat(1 + int(r, 4))}# c${int(r, 9)}` : ''}`;
    case 3:
      return `\ta.com/m${int(r, 30)} ${pick(r, ['v1.0.0', 'v1.0.0 // indirect', '=> b.com/m v1.1.0', 'v1.0.0 => ./local'])}`;
    case 4:
      return pick(r, ['require (', 'replace (', ')', 'module example.com/m', 'go 1.21', 'replace a.com/m1 => b.com/m1 v1.0.0 // why', 'require a.com/m2 v1.0.0']);
    case 5:
      return garbage(r, int(r, 60));
    case 6:
      return Array.from({ length: int(r, 8) }, () => word(r)).join(pick(r, [' ', '\t', '  ', '']));
    case 7:
      return r() < 0.1 ? 'x'.repeat(100_000 + int(r, 100_000)) : `${word(r)} ${word(r)}`;
    default:
      return `github.com/o${int(r, 30)}/r ${word(r)}`;
  }
}

function randomFile(r: Rand): string {
  const lines = Array.from({ length: int(r, 60) }, () => randomLine(r));
  let text = lines.map((l) => l + pick(r, ['\n', '\n', '\r\n'])).join('');
  if (r() < 0.3) text = text.replace(/\r?\n$/, '');
  if (r() < 0.05) text = garbage(r, 2000);
  return text;
}

/** The lines of `after` equal those of `before` except at the 1-based `line` (if any). */
function onlyLineDiffers(before: string, after: string, line: number, context: string): void {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.strictEqual(b.length, a.length, `${context}: line count kept`);
  for (let i = 0; i < a.length; i++) if (i !== line - 1) assert.strictEqual(b[i], a[i], `${context}: line ${i + 1} untouched`);
}

const ITERATIONS = 400;

describe('vendor parsers and editors under fuzzing (seeded)', function () {
  this.timeout(120_000);

  it('decodes any bytes losslessly', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const b = Buffer.alloc(int(r, 3000));
      for (let j = 0; j < b.length; j++) b[j] = int(r, 256);
      const { text, encoding } = decodeText(b);
      assert.ok(encodeText(text, encoding).equals(b), `seed 7 iteration ${i}`);
    }
  });

  it('vendor.conf: random files round-trip, every line is understood or reported, edits touch one line', () => {
    for (let seed = 1; seed <= ITERATIONS; seed++) {
      const r = rng(seed);
      const text = randomFile(r);
      const conf = VendorConf.parse(text, 'vendor.conf');
      assert.strictEqual(conf.toString(), text, `seed ${seed}: round-trip`);
      const accounted = new Set([...conf.entries.map((e) => e.line), ...conf.problems.map((p) => p.line)]);
      for (let line = 1; line <= conf.lineCount; line++) {
        const t = conf.lineText(line).trim();
        if (t !== '' && !t.startsWith('#')) assert.ok(accounted.has(line), `seed ${seed}: line ${line} '${t.slice(0, 40)}' neither parsed nor reported`);
      }
      for (const p of lintVendorConf(conf)) assert.ok(p.line >= 1 && p.line <= conf.lineCount && p.message.length > 0, `seed ${seed}: problem in range`);
      for (let edit = 0; edit < 3 && conf.entries.length > 0; edit++) {
        const before = conf.toString();
        const entry = pick(r, conf.entries);
        const change = { ref: r() < 0.5 ? undefined : pick(r, ['v9', 'x'.repeat(int(r, 50) + 1), 'bad ref', '#x']), repo: pick(r, [undefined, null, 'https://f.com/x.git', 'has space']) };
        try {
          const line = conf.setEntry(entry.importPath, change);
          assert.strictEqual(line, entry.line);
          onlyLineDiffers(before, conf.toString(), line, `seed ${seed} edit ${edit}`);
          const now = conf.find(entry.importPath)[0];
          assert.strictEqual(now.comment, entry.comment, `seed ${seed}: comment kept`);
          assert.strictEqual(now.ref, change.ref ?? entry.ref);
          assert.strictEqual(now.repo, change.repo === undefined ? entry.repo : change.repo);
        } catch (e) {
          // A refused edit (duplicate entry, unwritable value) must leave the file as it was.
          assert.match(String(e), /listed \d+ times|cannot be a vendor.conf field/, `seed ${seed}`);
          assert.strictEqual(conf.toString(), before, `seed ${seed}: refused edit changed nothing`);
        }
      }
    }
  });

  it('go.mod: random files round-trip, edits add, change or remove exactly the intended lines', () => {
    for (let seed = 1; seed <= ITERATIONS; seed++) {
      const r = rng(seed * 7919);
      const text = randomFile(r);
      const mod = GoModFile.parse(text, 'go.mod');
      assert.strictEqual(mod.toString(), text, `seed ${seed}: round-trip`);
      for (const p of lintGoMod(mod)) assert.ok(p.line >= 1 && p.line <= mod.lineCount, `seed ${seed}: problem in range`);
      for (let edit = 0; edit < 3; edit++) {
        const before = mod.toString();
        const module = r() < 0.6 && mod.replaces.length > 0 ? pick(r, mod.replaces).module : `a.com/m${int(r, 30)}`;
        const existing = mod.findReplaces(module).map((x) => x.line);
        const ctx = `seed ${seed} edit ${edit} ${module}`;
        if (r() < 0.4) {
          const removed = mod.removeReplace(module);
          assert.deepStrictEqual(removed, existing, ctx);
          const expected = before.split('\n').filter((_, i) => !removed.includes(i + 1));
          if (removed.length === 0) assert.strictEqual(mod.toString(), before, ctx);
          else assert.deepStrictEqual(mod.toString().split('\n').map((l, i, all) => (i === all.length - 1 ? l : l.replace(/\r$/, ''))), expected.map((l, i, all) => (i === all.length - 1 ? l : l.replace(/\r$/, ''))), ctx);
          assert.deepStrictEqual(mod.findReplaces(module), [], ctx);
        } else {
          const lines = mod.setReplace(module, 'fork.com/m', 'v1.0.1');
          const after = mod.toString();
          if (existing.length > 0) {
            assert.deepStrictEqual(lines, existing, ctx);
            const a = after.split('\n');
            const b = before.split('\n');
            assert.strictEqual(a.length, b.length, ctx);
            for (let i = 0; i < b.length; i++) if (!existing.includes(i + 1)) assert.strictEqual(a[i], b[i], `${ctx}: line ${i + 1} untouched`);
          } else {
            assert.strictEqual(lines.length, 1, ctx);
            const b = before.split('\n');
            const a = after.split('\n');
            assert.ok(a.length === b.length + 1 || a.length === b.length + 2, `${ctx}: one line added (plus a blank at the end)`);
            const added = a.splice(lines[0] - 1, 1)[0];
            assert.match(added, /^\s*(replace )?a\.com\/m\d+ => fork\.com\/m v1\.0\.1\r?$/, ctx);
            const strip = (xs: string[]) => xs.map((x) => x.replace(/\r$/, '')).filter((x, i, all) => !(i >= b.length - 1 && x === '' && all.length > b.length));
            assert.deepStrictEqual(strip(a).slice(0, b.length - 1), strip(b).slice(0, b.length - 1), `${ctx}: other lines untouched`);
          }
          assert.ok(mod.findReplaces(module).every((x) => x.target === 'fork.com/m' && x.targetVersion === 'v1.0.1'), ctx);
        }
      }
    }
  });

  it('a 10 MB file round-trips and takes an edit without losing a byte elsewhere', () => {
    const r = rng(42);
    const parts: string[] = [];
    let size = 0;
    while (size < 10 * 1024 * 1024) {
      const l = randomLine(r) + '\n';
      parts.push(l);
      size += l.length;
    }
    const text = `github.com/target/repo v1 # keep me\n${parts.join('')}`;
    const conf = VendorConf.parse(text, 'big');
    assert.strictEqual(conf.toString(), text);
    conf.setFork('github.com/target/repo', 'https://f.com/repo.git');
    const after = conf.toString();
    assert.strictEqual(after.slice(after.indexOf('\n')), text.slice(text.indexOf('\n')));
    assert.strictEqual(after.slice(0, after.indexOf('\n')), 'github.com/target/repo v1 https://f.com/repo.git # keep me');
    const mod = GoModFile.parse(text, 'big.mod');
    assert.strictEqual(mod.toString(), text);
  });
});
