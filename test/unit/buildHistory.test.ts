import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildHistory, BuildRecord } from '../../src/core/build/history';

const rec = (repoRoot: string, target: string, startedAt: number, result: BuildRecord['result'] = 'succeeded'): BuildRecord => ({ repoRoot, target, startedAt, durationMs: 5, result, artifacts: [] });

describe('build history on disk', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-unit-history-'));
    file = path.join(dir, 'state', 'build-history.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What a reloaded window sees: a new instance reading the file, not anyone's memory. */
  const reload = async (f = file) => (await new BuildHistory(f).list()).map((r) => `${r.repoRoot}:${r.target}:${r.startedAt}`);
  const leftovers = () => fs.readdirSync(path.dirname(file)).filter((n) => n !== path.basename(file));

  it('loses nothing when builds in two repositories finish together', async () => {
    const history = new BuildHistory(file);
    await history.list(); // a view has already read the (empty) history, as in the editor
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) adds.push(history.add(rec(i % 2 ? '/src/moby' : '/src/cli', 'binary', i)));
    await Promise.all(adds);
    const expected = Array.from({ length: 20 }, (_, i) => `${i % 2 ? '/src/moby' : '/src/cli'}:binary:${i}`).reverse();
    assert.deepStrictEqual(await reload(), expected, 'newest first, every build kept');
    assert.deepStrictEqual((await history.list()).length, 20);
    assert.deepStrictEqual(leftovers(), [], 'no temp files left behind');
  });

  it('keeps records another writer added in between (a second window on the same file)', async () => {
    const first = new BuildHistory(file);
    const second = new BuildHistory(file);
    await first.add(rec('/src/moby', 'binary', 1));
    await second.add(rec('/src/cli', 'binary', 2));
    await first.add(rec('/src/moby', 'dynbinary', 3));
    assert.deepStrictEqual(await reload(), ['/src/moby:dynbinary:3', '/src/cli:binary:2', '/src/moby:binary:1']);
  });

  it('loses nothing when two windows (two instances, one pid) write at once, and shares no temp file', async () => {
    const a = new BuildHistory(file);
    const b = new BuildHistory(file);
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) adds.push(a.add(rec('/a', 'binary', i)), b.add(rec('/b', 'binary', 100 + i)));
    await Promise.all(adds);
    const kept = await reload();
    assert.strictEqual(kept.length, 20, kept.join(' '));
    assert.deepStrictEqual([...kept].sort(), [...Array.from({ length: 10 }, (_, i) => `/a:binary:${i}`), ...Array.from({ length: 10 }, (_, i) => `/b:binary:${100 + i}`)].sort());
    assert.deepStrictEqual(leftovers(), [], 'no temp or lock files left behind');
  });

  it('loses nothing when two processes (two editor windows) add at once', async function () {
    this.timeout(30_000);
    const historyModule = path.resolve(__dirname, '../../src/core/build/history.js');
    const script = `const { BuildHistory } = require(${JSON.stringify(historyModule)});
      const [file, repo] = process.argv.slice(1);
      const h = new BuildHistory(file);
      Promise.all(Array.from({ length: 10 }, (_, i) => h.add({ repoRoot: repo, target: 'binary', startedAt: i, durationMs: 1, result: 'succeeded', artifacts: [] })))
        .catch((e) => { console.error(e); process.exit(1); });`;
    const runWriter = (repo: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script, file, repo], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer for ${repo} exited ${code}: ${stderr}`))));
      });
    await Promise.all([runWriter('/window-one'), runWriter('/window-two')]);
    const kept = await reload();
    assert.strictEqual(kept.filter((k) => k.startsWith('/window-one:')).length, 10, kept.join(' '));
    assert.strictEqual(kept.filter((k) => k.startsWith('/window-two:')).length, 10, kept.join(' '));
    assert.deepStrictEqual(leftovers(), []);
  });

  it('takes over a lock left by a writer that died', async function () {
    this.timeout(15_000);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.lock`, '99999\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    await new BuildHistory(file).add(rec('/r', 'binary', 1));
    assert.deepStrictEqual(await reload(), ['/r:binary:1']);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('writes the file readable by its owner only (0600), also over an older 0644 file', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '[]', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await new BuildHistory(file).add(rec('/r', 'binary', 1));
    assert.strictEqual((fs.statSync(file).mode & 0o777).toString(8), '600');
  });

  it('keeps records across a reload, newest first and capped, with the latest per target', async () => {
    const h = new BuildHistory(file, 3);
    await h.add(rec('/r', 'binary', 1, 'failed'));
    await h.add(rec('/r', 'binary', 2));
    await h.add(rec('/r', 'dynbinary', 3, 'cancelled'));
    await h.add(rec('/r', 'binary', 4, 'error'));
    const reloaded = new BuildHistory(file, 3);
    assert.deepStrictEqual((await reloaded.list()).map((r) => r.startedAt), [4, 3, 2]);
    const latest = await reloaded.latest('/r');
    assert.deepStrictEqual([latest.get('binary')?.result, latest.get('dynbinary')?.result], ['error', 'cancelled']);
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, 'utf8')).map((r: BuildRecord) => r.startedAt), [4, 3, 2], 'what is on disk, not only in memory');
  });

  for (const [what, text, why] of [
    ['not JSON', '[{"repoRoot": "/r", "target": "binary", ', /not valid JSON/],
    ['JSON but not a list', '{"builds": []}', /not a list of builds/],
  ] as const) {
    it(`reports a history that is ${what}, keeps it aside, and starts anew`, async () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      const warnings: string[] = [];
      const h = new BuildHistory(file, 100, (m) => warnings.push(m));
      assert.deepStrictEqual(await h.list(), [], 'a broken file does not break the views');
      assert.strictEqual(warnings.length, 1, 'said once');
      const kept = leftovers();
      assert.strictEqual(kept.length, 1);
      assert.match(kept[0], /^build-history\.json\.corrupt-\d{4}-\d\d-\d\dT/);
      assert.strictEqual(fs.readFileSync(path.join(path.dirname(file), kept[0]), 'utf8'), text, 'kept byte for byte');
      assert.match(warnings[0], why);
      assert.ok(warnings[0].includes(file) && warnings[0].includes(kept[0]), warnings[0]);
      await h.add(rec('/r', 'binary', 1));
      assert.deepStrictEqual(await reload(), ['/r:binary:1']);
      assert.strictEqual(warnings.length, 1);
    });
  }

  it('reports a corrupt file met when adding, too, without losing the new record', async () => {
    const warnings: string[] = [];
    const h = new BuildHistory(file, 100, (m) => warnings.push(m));
    await h.add(rec('/r', 'binary', 1));
    fs.writeFileSync(file, 'garbage'); // e.g. a disk that filled up under another program
    await h.add(rec('/r', 'binary', 2));
    assert.deepStrictEqual(await reload(), ['/r:binary:2']);
    assert.strictEqual(warnings.length, 1);
    assert.strictEqual(leftovers().length, 1);
  });

  it('refuses to overwrite a history it cannot read at all, naming it', async () => {
    fs.mkdirSync(file, { recursive: true }); // a folder where the file should be
    fs.writeFileSync(path.join(file, 'keep'), 'x');
    const warnings: string[] = [];
    const h = new BuildHistory(file, 100, (m) => warnings.push(m));
    assert.deepStrictEqual(await h.list(), []);
    assert.match(warnings[0] ?? '', new RegExp(`Build history ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be read`));
    await assert.rejects(h.add(rec('/r', 'binary', 1)), /cannot be read .*builds are not recorded/);
    assert.ok(fs.existsSync(path.join(file, 'keep')), 'left as it was');
  });
});
