import * as assert from 'assert';
import * as fs from 'fs';
// The module object itself: `import * as` gives a read-only copy whose functions cannot be wrapped.
import nodeFs from 'fs';
import * as path from 'path';
import { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { contextDirName } from '../../src/core/engine/endpoint';
import { SAMPLE_CONFIGS, sampleText, tempDir, writeStore } from './machineStoreFixtures';

type Recorded = { op: string; path: string };

const READS = ['readFile', 'readdir', 'stat', 'lstat', 'access', 'open', 'opendir', 'realpath'] as const;
const WRITES = ['writeFile', 'appendFile', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'chmod', 'symlink', 'mkdtemp'] as const;

/**
 * Runs `fn` with every fs call of this process recorded (promise and sync
 * forms), so a test can prove which paths the CLI touched.
 */
async function recordingFs<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Recorded[] }> {
  const calls: Recorded[] = [];
  const restore: Array<() => void> = [];
  const wrap = (target: Record<string, unknown>, name: string, op: string) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    target[name] = function (this: unknown, p: unknown, ...rest: unknown[]) {
      calls.push({ op: `${op} ${name}`, path: typeof p === 'string' ? p : Buffer.isBuffer(p) ? p.toString() : p instanceof URL ? p.pathname : String(p) });
      return (original as (...a: unknown[]) => unknown).call(this, p, ...rest);
    };
    restore.push(() => (target[name] = original));
  };
  for (const name of [...READS, ...WRITES]) {
    const op = (READS as readonly string[]).includes(name) ? 'read' : 'write';
    wrap(nodeFs.promises as unknown as Record<string, unknown>, name, op);
    wrap(nodeFs as unknown as Record<string, unknown>, name, op);
    wrap(nodeFs as unknown as Record<string, unknown>, `${name}Sync`, op);
  }
  wrap(nodeFs as unknown as Record<string, unknown>, 'existsSync', 'read');
  try {
    return { result: await fn(), calls };
  } finally {
    restore.forEach((r) => r());
  }
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd };
  return { code: await main(argv, io), out, err };
}

/** Every file under `dir` with its bytes and mtime: equal before and after means nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[p] = `${fs.statSync(p).mtimeMs} ${fs.readFileSync(p, 'base64')}`;
    }
  };
  walk(dir);
  return files;
}

describe('dockerfork machines', () => {
  let tmp: string;
  let home: string;
  let workspace: string;
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    tmp = tempDir('machines-cli');
    home = path.join(tmp, 'home');
    workspace = path.join(tmp, 'workspace');
    // docker-machine's default store under the (temporary) home, in its own layout.
    writeStore(path.join(home, '.docker', 'machine'), {
      linuxtips: { config: sampleText(SAMPLE_CONFIGS.linuxtips), files: ['id_rsa', 'ca.pem', 'cert.pem', 'key.pem'] },
      default: { config: sampleText(SAMPLE_CONFIGS.default), files: ['id_rsa'] },
      foobar: { config: sampleText(SAMPLE_CONFIGS.foobar), files: ['id_rsa'] },
      broken: { config: '{\n    "ConfigVersion": 3\n    "DriverName": "generic"\n}\n' },
    });
    const ctx = path.join(home, '.docker', 'contexts', 'meta', contextDirName('flatcar'));
    fs.mkdirSync(ctx, { recursive: true });
    fs.writeFileSync(path.join(ctx, 'meta.json'), JSON.stringify({ Name: 'flatcar', Metadata: {}, Endpoints: { docker: { Host: 'ssh://core@192.0.2.10', SkipTLSVerify: false } } }));
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), '{\n  "dockerFork.machines.sshHosts": [\n    "deploy@192.0.2.20:2200",\n    { "name": "lab", "host": "lab-alias" }\n  ]\n}\n');
    for (const k of ['HOME', 'USERPROFILE', 'MACHINE_STORAGE_PATH', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_HOST', 'PATH']) saved[k] = process.env[k];
    // Everything the CLI could find on its own points into the temporary folder.
    process.env.HOME = home;
    process.env.USERPROFILE = home;
    process.env.PATH = path.join(tmp, 'empty-bin');
    for (const k of ['MACHINE_STORAGE_PATH', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_HOST']) delete process.env[k];
  });

  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('--json lists docker-machine, context and settings machines with the broken one as a problem, reading nothing outside the temporary home and workspace (only whether the key paths config.json names exist) and writing nothing', async () => {
    const before = snapshot(tmp);
    const { result: r, calls } = await recordingFs(() => cli(['machines', '--json'], workspace));
    assert.strictEqual(r.code, 0, r.err);
    assert.strictEqual(r.err, '');
    const json = JSON.parse(r.out);
    assert.deepStrictEqual(json.machines.map((m: { name: string; source: string }) => [m.name, m.source]), [
      ['default', 'docker-machine'], ['foobar', 'docker-machine'], ['linuxtips', 'docker-machine'],
      ['context:flatcar', 'context'],
      ['deploy@192.0.2.20:2200', 'ssh'], ['lab', 'ssh'],
    ]);
    const linuxtips = json.machines.find((m: { name: string }) => m.name === 'linuxtips');
    const dir = path.join(home, '.docker', 'machine', 'machines', 'linuxtips');
    assert.deepStrictEqual(
      { name: linuxtips.name, source: linuxtips.source, host: linuxtips.host, port: linuxtips.port, user: linuxtips.user, identityFile: linuxtips.identityFile, driver: linuxtips.driver, daemonHost: linuxtips.daemonHost, engine: linuxtips.engine.host },
      { name: 'linuxtips', source: 'docker-machine', host: '127.0.0.1', port: 57249, user: 'docker', identityFile: path.join(dir, 'id_rsa'), driver: 'virtualbox', daemonHost: 'tcp://localhost:2376', engine: 'tcp://192.168.99.100:2376' },
    );
    const lab = json.machines.find((m: { name: string }) => m.name === 'lab');
    assert.deepStrictEqual([lab.host, lab.port, lab.user, lab.identityFile, lab.driver], ['lab-alias', null, null, null, null]);
    assert.deepStrictEqual(json.problems.map((p: { name: string; origin: string }) => [p.name, p.origin]), [['broken', `${path.join(home, '.docker/machine/machines/broken/config.json')}:3:5`]]);
    assert.match(json.problems[0].message, /a comma is missing/);

    assert.ok(calls.some((c) => c.op === 'read readFile' && c.path.endsWith('linuxtips/config.json')), 'the recorder saw the reads');
    // Outside the temporary folder only the absolute key and certificate paths
    // the sample config.json files name (/Users/...) are looked at, and only
    // whether they exist: their contents are never read.
    const named = Object.values(SAMPLE_CONFIGS).map(sampleText).join('\n');
    const outside = calls.filter((c) => !c.path.startsWith(tmp + path.sep));
    assert.ok(outside.length > 0);
    for (const c of outside) {
      assert.strictEqual(c.op, 'read stat', `${c.op} ${c.path}`);
      assert.ok(c.path.startsWith('/Users/') && (named.includes(c.path) || named.includes(path.dirname(c.path))), `${c.path} is named by a sample config.json`);
    }
    assert.deepStrictEqual(calls.filter((c) => c.op.startsWith('write')), []);
    assert.deepStrictEqual(snapshot(tmp), before);
  });

  it('prints a table, warnings and problems for people; MACHINE_STORAGE_PATH and --storage-path choose the store', async () => {
    const r = await cli(['machines'], workspace);
    assert.strictEqual(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^NAME\s+SOURCE\s+DRIVER\s+SSH\s+KEY$/);
    assert.match(r.out, /\nlinuxtips\s+docker-machine\s+virtualbox\s+docker@127\.0\.0\.1:57249\s+\S+linuxtips\/id_rsa\n/);
    assert.match(r.out, /\nlab\s+ssh\s+-\s+lab-alias\s+-\n/);
    assert.match(r.err, /^warning: linuxtips: SSH key \/Users\/jeferson\/.*store was moved/m);
    assert.match(r.err, /^problem: \S+broken\/config\.json:3:5: broken: config\.json is not valid JSON at line 3, column 5/m);

    const other = writeStore(path.join(tmp, 'other-store'), {});
    fs.mkdirSync(path.join(other, 'machines'), { recursive: true });
    process.env.MACHINE_STORAGE_PATH = other;
    const viaEnv = JSON.parse((await cli(['machines', '--json'], workspace)).out);
    assert.ok(!viaEnv.machines.some((m: { source: string }) => m.source === 'docker-machine'), 'MACHINE_STORAGE_PATH replaces ~/.docker/machine');
    const viaFlag = JSON.parse((await cli(['machines', '--json', '--storage-path', path.join(home, '.docker', 'machine')], workspace)).out);
    assert.strictEqual(viaFlag.machines.filter((m: { source: string }) => m.source === 'docker-machine').length, 3);
  });

  it('--vagrant DIR runs vagrant there and says so when it is not installed', async () => {
    const box = path.join(tmp, 'coreos-vagrant');
    fs.mkdirSync(box);
    fs.writeFileSync(path.join(box, 'Vagrantfile'), 'Vagrant.configure("2") do |config|\nend\n');
    const json = JSON.parse((await cli(['machines', '--json', '--vagrant', box], workspace)).out);
    const problem = json.problems.find((p: { source: string }) => p.source === 'vagrant');
    assert.match(problem.message, /vagrant is not installed or not on PATH/);
    assert.strictEqual(problem.origin, `${path.join(box, 'Vagrantfile')} (vagrant ssh-config)`);
  });

  it('says when there are no machines at all, naming where it looked', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    process.env.HOME = empty;
    const r = await cli(['machines'], empty);
    assert.strictEqual(r.code, 0);
    assert.match(r.out, new RegExp(`^No machines: none in docker-machine's store ${path.join(empty, '.docker', 'machine')}`));
  });

  it('follows the CLI conventions: --help, no arguments, unknown options exit 2', async () => {
    const help = await cli(['machines', '--help'], workspace);
    assert.deepStrictEqual([help.code, help.out.split('\n')[0]], [0, 'Usage: dockerfork machines [--json] [--storage-path DIR] [--cwd DIR] [--vagrant DIR]']);
    assert.match((await cli(['--help'], workspace)).out, /dockerfork machines \[--json\]/);
    const extra = await cli(['machines', 'dev'], workspace);
    assert.deepStrictEqual([extra.code, extra.err.split('\n')[0]], [2, "dockerfork: machines takes no arguments, got 'dev'"]);
    assert.strictEqual((await cli(['machines', '--storage-path'], workspace)).code, 2);
  });
});
