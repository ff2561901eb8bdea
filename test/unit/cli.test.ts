import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { CliIo } from '../../src/cli/io';
import { FIXTURES, REPO_ROOT } from './paths';

async function cli(argv: string[], cwd = REPO_ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd };
  const code = await main(argv, io);
  return { code, out, err };
}

const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;

describe('dockerfork CLI', () => {
  it('--version prints the package version', async () => {
    assert.deepStrictEqual(await cli(['--version']), { code: 0, out: `${version}\n`, err: '' });
  });

  it('--help lists the commands and options, exit 0; no arguments prints it too but exits 2', async () => {
    const help = await cli(['--help']);
    assert.strictEqual(help.code, 0);
    assert.match(help.out, /dockerfork detect \[--cwd DIR\]/);
    assert.match(help.out, /--version/);
    assert.strictEqual((await cli(['-h'])).out, help.out);
    assert.strictEqual((await cli([])).code, 2);
  });

  it('rejects an unknown command or option with exit 2 and a pointer to --help', async () => {
    const r = await cli(['deploy-everything']);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /unknown command 'deploy-everything'[\s\S]*dockerfork --help/);
    assert.match((await cli(['detect', '--depht', '2'])).err, /unknown option '--depht'/);
    assert.match((await cli(['detect', '--depth', 'seven'])).err, /--depth must be a whole number from 0 to 3, got 'seven'/);
  });

  it('parses options the usual way: --flag=value, -h per command, and clear usage errors (exit 2) for the rest', async () => {
    const fork = path.join(FIXTURES, 'moby-fork');
    const eq = await cli(['detect', '--json', `--cwd=${fork}`, '--depth=0']);
    assert.strictEqual(eq.code, 0, eq.err);
    assert.deepStrictEqual(JSON.parse(eq.out).map((r: { root: string }) => r.root), [fork]);
    const help = await cli(['build', '-h']);
    assert.deepStrictEqual([help.code, help.err], [0, '']);
    assert.match(help.out, /^Usage: dockerfork build \[TARGET\][\s\S]*Ctrl-C cancels/);
    assert.strictEqual((await cli(['targets', '--help'])).out.split('\n')[0], 'Usage: dockerfork targets [--cwd DIR] [--json]');
    const cases: Array<[string[], RegExp]> = [
      [['detect', '-x'], /^dockerfork: unknown option '-x'\n/],
      [['detect', '--cwd'], /^dockerfork: option '--cwd' needs a value/],
      [['detect', '--cwd', '--json'], /^dockerfork: option '--cwd' needs a value \(write --cwd=VALUE/],
      [['targets', '--json=yes'], /^dockerfork: option '--json' takes no value\n/],
      [['build', '--no-privileged=1'], /^dockerfork: option '--no-privileged' takes no value\n/],
      [['targets', 'extra'], /^dockerfork: targets takes no arguments, got 'extra'\n/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      assert.strictEqual(r.code, 2, argv.join(' '));
      assert.match(r.err, message, argv.join(' '));
      assert.match(r.err, /Run 'dockerfork --help' for usage\.\n$/);
      assert.strictEqual(r.out, '');
    }
  });

  it('detect --json reports the fixture fork as moby; a folder with none exits 1 naming it', async () => {
    const r = await cli(['detect', '--json', '--cwd', path.join(FIXTURES, 'moby-fork')]);
    assert.strictEqual(r.code, 0, r.err);
    const repos = JSON.parse(r.out);
    assert.deepStrictEqual(repos.map((x: { kind: string; name: string }) => [x.name, x.kind]), [['moby-fork', 'moby']]);
    const none = await cli(['detect', '--cwd', path.join(REPO_ROOT, 'media')]);
    assert.strictEqual(none.code, 1);
    assert.ok(none.err.includes(path.join(REPO_ROOT, 'media')), none.err);
  });

  it('targets --json lists the fixture targets with the default marked; build of an unknown target exits 2 naming the targets', async () => {
    const r = await cli(['targets', '--json', '--cwd', path.join(FIXTURES, 'moby-fork')]);
    assert.strictEqual(r.code, 0, r.err);
    const [repo] = JSON.parse(r.out);
    assert.strictEqual(repo.era, 'moby-hack');
    assert.strictEqual(repo.eraLabel, 'moby 17.06–19.03, hack/make.sh in the dev container');
    assert.deepStrictEqual(repo.targets.map((t: { id: string; isDefault?: boolean }) => [t.id, !!t.isDefault]), [['binary', true], ['dynbinary', false]]);
    const bad = await cli(['build', 'binray', '--cwd', path.join(FIXTURES, 'moby-fork')]);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /unknown target 'binray' in .*moby-fork; targets: binary, dynbinary/);
  });

  it('build --builder takes auto, buildkit or legacy, and nothing else (exit 2 before any engine call)', async () => {
    const r = await cli(['build', '--builder', 'kaniko', '--cwd', path.join(FIXTURES, 'moby-fork')]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /--builder must be auto, buildkit or legacy, got 'kaniko'/);
  });

  it('targets names the era the way a user would, not by its internal id', async () => {
    const r = await cli(['targets', '--cwd', path.join(FIXTURES, 'moby-fork')]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(r.out.split('\n').slice(0, 2), [path.join(FIXTURES, 'moby-fork'), '  moby 17.06–19.03, hack/make.sh in the dev container']);
    assert.match(r.out, /^ {2}\* binary +container +hack\/make\.sh binary in the dev container/m);
    assert.doesNotMatch(r.out, /moby-hack/);
  });

  it('says to run the bundle step, without a stack trace, when bin/dockerfork.js runs before dist/cli.js exists', async () => {
    // A copy of the real launcher in a tree without dist/, as in a fresh clone.
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-clone-'));
    fs.mkdirSync(path.join(clone, 'bin'));
    fs.copyFileSync(path.join(REPO_ROOT, 'bin/dockerfork.js'), path.join(clone, 'bin/dockerfork.js'));
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [path.join(clone, 'bin/dockerfork.js'), '--help'], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
    );
    fs.rmSync(clone, { recursive: true, force: true });
    assert.deepStrictEqual([r.code, r.stdout], [1, '']);
    assert.match(r.stderr, /^dockerfork: the CLI is not built yet \(.*dist\/cli\.js is missing\)\.\nRun 'npm install' and then 'npm run bundle' in /);
    assert.doesNotMatch(r.stderr, /Cannot find module|\n\s+at /);
  });

  it('runs from the bundle through bin/dockerfork.js as the installed command would', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [path.join(REPO_ROOT, 'bin/dockerfork.js'), ...args], (err, stdout) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
        ),
      );
    assert.deepStrictEqual(await run(['--version']), { code: 0, stdout: `${version}\n` });
    assert.strictEqual((await run(['no-such-command'])).code, 2);
  });
});
