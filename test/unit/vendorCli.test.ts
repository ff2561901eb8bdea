import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { lineDiff, vendorSamples } from './vendorTestUtil';

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('dockerfork vendor (offline)', () => {
  let root: string;
  const conf = vendorSamples('vendor.conf').find((s) => /docker-cli-v18\.09/.test(s.name)) ?? assert.fail('docker/cli 18.09 sample');
  const mod = vendorSamples('vendor.mod').find((s) => /moby-v22/.test(s.name)) ?? assert.fail('moby 22.06 sample');

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-vendor-cli-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('list --json gives module, version, source, file and line for every entry of every vendor file (docker-ce: both components)', async () => {
    fs.mkdirSync(path.join(root, 'components/engine'), { recursive: true });
    fs.mkdirSync(path.join(root, 'components/cli'), { recursive: true });
    fs.writeFileSync(path.join(root, 'components/engine/vendor.conf'), 'github.com/a/b v1\n');
    fs.writeFileSync(path.join(root, 'components/cli/vendor.conf'), conf.text);
    const r = await cli(['vendor', 'list', '--json', '--cwd', root], os.tmpdir());
    assert.strictEqual(r.code, 0, r.err);
    const deps = JSON.parse(r.out) as Array<{ module: string; version: string; source: string | null; file: string; line: number }>;
    assert.deepStrictEqual(deps.find((d) => d.module === 'github.com/coreos/etcd'), { module: 'github.com/coreos/etcd', version: 'fca8add78a9d926166eb739b8e4a124434025ba3', source: null, file: 'components/cli/vendor.conf', line: 10, forked: false });
    const engine = deps.find((d) => d.file === 'components/engine/vendor.conf');
    assert.deepStrictEqual(engine, { module: 'github.com/a/b', version: 'v1', source: null, file: 'components/engine/vendor.conf', line: 1, forked: false });
    const docker = deps.find((d) => d.module === 'github.com/docker/docker');
    assert.strictEqual(docker?.source, 'https://github.com/docker/engine');
    const lines = conf.text.split('\n');
    for (const d of deps.filter((x) => x.file === 'components/cli/vendor.conf')) assert.ok(lines[d.line - 1].startsWith(d.module), `${d.module} at line ${d.line}`);
    const text = await cli(['vendor', 'list', `--cwd=${root}`], os.tmpdir());
    assert.match(text.out, /^\* github\.com\/docker\/docker\t200b524eff60a9c95a22bc2518042ac2ff617d07\thttps:\/\/github\.com\/docker\/engine\tcomponents\/cli\/vendor\.conf:15$/m);
  });

  it('list shows a module replace as its source, and marks only a different module as a fork', async () => {
    fs.writeFileSync(path.join(root, 'vendor.mod'), mod.text);
    const deps = JSON.parse((await cli(['vendor', 'list', '--json'], root)).out) as Array<{ module: string; source: string | null; forked: boolean }>;
    const gocsi = deps.find((d) => d.module === 'github.com/rexray/gocsi');
    assert.deepStrictEqual([gocsi?.source, gocsi?.forked], ['github.com/dperny/gocsi@v1.2.3-pre', true]);
    const metrics = deps.find((d) => d.module === 'github.com/armon/go-metrics');
    assert.deepStrictEqual([metrics?.source, metrics?.forked], ['github.com/armon/go-metrics@v0.0.0-20150106224455-eb0af217e5e9', false]);
  });

  it('check exits 0 on the clean samples and 1 with FILE:LINE: MESSAGE on errors', async () => {
    fs.writeFileSync(path.join(root, 'vendor.conf'), conf.text);
    assert.deepStrictEqual(await cli(['vendor', 'check'], root), { code: 0, out: '', err: '' });
    fs.appendFileSync(path.join(root, 'vendor.conf'), 'github.com/docker/docker/client v1\nonly-one-field\n');
    const n = conf.text.split('\n').length;
    const r = await cli(['vendor', 'check'], root);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.out.split('\n').filter(Boolean), [
      `vendor.conf:${n}:1: github.com/docker/docker/client is not a repository root; vendor github.com/docker/docker instead`,
      `vendor.conf:${n + 1}:1: expected 2 or 3 fields (import path, revision, optional repository URL), found 1; the line is kept as it is`,
    ]);
    const json = JSON.parse((await cli(['vendor', 'check', '--json'], root)).out);
    assert.strictEqual(json[0].file, path.join(root, 'vendor.conf'));
  });

  it('fork --offline writes the URL and ref with a warning, changing one line; module files need --version offline', async () => {
    fs.writeFileSync(path.join(root, 'vendor.conf'), conf.text);
    const r = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', 'https://github.com/me/go-units.git', '--ref', 'v0.4.0-me', '--offline'], root);
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.err, /warning: offline: https:\/\/github.com\/me\/go-units.git and ref 'v0.4.0-me' were not checked/);
    const after = fs.readFileSync(path.join(root, 'vendor.conf'), 'utf8');
    const line = conf.text.split('\n').findIndex((l) => l.startsWith('github.com/docker/go-units ')) + 1;
    assert.deepStrictEqual(lineDiff(conf.text, after), { changed: [line], inserted: [], removed: [] });
    assert.strictEqual(after.split('\n')[line - 1], 'github.com/docker/go-units                          v0.4.0-me https://github.com/me/go-units.git # v0.3.3');
    assert.match(r.out, new RegExp(`^vendor.conf:${line}: github.com/docker/go-units`, 'm'));

    fs.rmSync(path.join(root, 'vendor.conf'));
    fs.writeFileSync(path.join(root, 'vendor.mod'), mod.text);
    const noVersion = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', 'https://github.com/me/go-units', '--offline'], root);
    assert.strictEqual(noVersion.code, 1);
    assert.match(noVersion.err, /offline, the version of the fork's commit cannot be worked out; give it/);
    assert.strictEqual(fs.readFileSync(path.join(root, 'vendor.mod'), 'utf8'), mod.text, 'nothing written on failure');
    const ok = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', 'https://github.com/me/go-units', '--offline', '--version', 'v0.5.1'], root);
    assert.strictEqual(ok.code, 0, ok.err);
    const modAfter = fs.readFileSync(path.join(root, 'vendor.mod'), 'utf8');
    const diff = lineDiff(mod.text, modAfter);
    assert.strictEqual(diff.inserted.length, 1);
    assert.strictEqual(modAfter.split('\n')[diff.inserted[0] - 1], '\tgithub.com/docker/go-units => github.com/me/go-units v0.5.1');
  });

  it('usage errors exit 2; unknown modules and unreadable setups exit 1 with a clear message', async () => {
    fs.writeFileSync(path.join(root, 'vendor.conf'), conf.text);
    const usage: Array<[string[], RegExp]> = [
      [['vendor'], /Usage: dockerfork vendor/],
      [['vendor', 'frob'], /unknown vendor subcommand 'frob'/],
      [['vendor', 'fork', 'github.com/a/b'], /vendor fork needs --repo URL/],
      [['vendor', 'fork', '--repo', 'x'], /vendor fork takes one MODULE, got 0/],
      [['vendor', 'reset'], /vendor reset takes one MODULE, got 0/],
      [['vendor', 'list', 'extra'], /vendor list takes no arguments, got 'extra'/],
      [['vendor', 'check', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, message] of usage) {
      const r = await cli(argv, root);
      assert.strictEqual(r.code, 2, argv.join(' '));
      assert.match(r.out + r.err, message, argv.join(' '));
    }
    const missing = await cli(['vendor', 'fork', 'github.com/nope/nope', '--repo', 'https://x.com/y', '--offline'], root);
    assert.strictEqual(missing.code, 1);
    assert.match(missing.err, /github.com\/nope\/nope is not listed in vendor.conf under /);
    const badVersion = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', 'https://x.com/y', '--offline', '--version', 'latest'], root);
    assert.strictEqual(badVersion.code, 1);
    assert.match(badVersion.err, /'latest' is not a Go version/);
    assert.strictEqual((await cli(['vendor', 'list', '--help'], root)).code, 0);
    assert.match((await cli(['--help'], root)).out, /dockerfork vendor list\|fork\|reset\|check/);
  });
});
