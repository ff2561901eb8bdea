import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { CliIo } from '../../src/cli/io';

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd };
  return { code: await main(argv, io), out, err };
}

describe('dockerfork deploy, rollback and status: called wrongly (exit 2, nothing connects)', function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-deploycli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = () => ['--storage-path', path.join(dir, 'store')];

  it('the help lists the deploy commands and their options', async function () {
    const help = await cli(['--help'], dir);
    for (const usage of [/dockerfork deploy MACHINE\.\.\. \[--from PATH\] \[--mode replace\|dropin\]/, /dockerfork rollback MACHINE\.\.\./, /dockerfork status MACHINE/, /dockerfork machines/]) assert.match(help.out, usage);
    const deploy = await cli(['deploy', '--help'], dir);
    assert.strictEqual(deploy.code, 0);
    assert.match(deploy.out, /--accept-new-host-key/);
  });

  it('refuses bad options before looking for machines or files', async function () {
    const cases: Array<[string[], RegExp]> = [
      [['deploy', 'm', '--mode', 'overwrite'], /--mode is replace or dropin, not 'overwrite'/],
      [['deploy', 'm', '--dest', 'usr/bin'], /--dest must be an absolute path on the machine/],
      [['deploy', 'm', '--verify-timeout', 'soon'], /--verify-timeout takes seconds/],
      [['deploy'], /name at least one machine/],
      [['status'], /status takes one machine/],
      [['deploy', 'm', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli([...argv, ...store()], dir);
      assert.strictEqual(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.match(r.err, /Run 'dockerfork --help'/);
    }
  });

  it('an unknown machine is named with the known ones; without --from outside a repository it says to build first', async function () {
    fs.mkdirSync(path.join(dir, 'store', 'machines'), { recursive: true });
    const unknown = await cli(['deploy', 'm', ...store()], dir);
    assert.strictEqual(unknown.code, 1);
    assert.match(unknown.err, /no machine named m; known: none/);
    fs.mkdirSync(path.join(dir, '.vscode'));
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'dockerFork.machines.sshHosts': [{ name: 'lab', host: '127.0.0.1', port: 1 }] }));
    const nothing = await cli(['deploy', 'lab', ...store()], dir);
    assert.strictEqual(nothing.code, 2, nothing.err);
    assert.match(nothing.err, /nothing to deploy: no bundles\/ in .*; build first or give --from PATH/);
  });
});
