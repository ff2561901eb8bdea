import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { contextDirName } from '../../src/core/engine/endpoint';
import { listContextMachines, parseSshUrl } from '../../src/core/machines/contextMachines';
import { listMachines } from '../../src/core/machines';
import { MachineList } from '../../src/core/machines/machine';
import { parseSshTarget, sshHostMachines } from '../../src/core/machines/sshHosts';
import { parseMachineSettings } from '../../src/core/repo/workspaceSettings';
import { tempDir, v3Config, writeStore } from './machineStoreFixtures';

/** A context as `docker context create NAME --docker host=HOST` stores it. */
function writeContext(dockerConfig: string, name: string, host: string): string {
  const dir = path.join(dockerConfig, 'contexts', 'meta', contextDirName(name));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'meta.json');
  fs.writeFileSync(file, JSON.stringify({ Name: name, Metadata: { Description: '' }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  return file;
}

describe('machine sources', () => {
  let home: string;
  beforeEach(() => (home = tempDir('machines-home')));
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  describe('Docker contexts', () => {
    it('lists ssh:// contexts as context:NAME with user and port only where the URL has them; other contexts are engines, not machines', async () => {
      const docker = path.join(home, '.docker');
      const file = writeContext(docker, 'flatcar', 'ssh://core@10.0.0.20:2222');
      writeContext(docker, 'alias', 'ssh://buildbox');
      writeContext(docker, 'tcp', 'tcp://10.0.0.30:2376');
      const list = await listContextMachines({ env: {}, homeDir: home });
      assert.deepStrictEqual(list.problems, []);
      const flatcar = list.machines.find((m) => m.name === 'context:flatcar');
      assert.deepStrictEqual(flatcar, { name: 'context:flatcar', source: 'context', ssh: { host: '10.0.0.20', port: 2222, user: 'core', hostKeys: 'user' }, daemonHost: 'unix:///var/run/docker.sock', origin: file });
      assert.deepStrictEqual(list.machines.find((m) => m.name === 'context:alias')?.ssh, { host: 'buildbox', port: undefined, user: undefined, hostKeys: 'user' });
      assert.strictEqual(list.machines.length, 2);
    });

    it('reads DOCKER_CONFIG, and names a broken meta.json with line:column', async () => {
      const docker = path.join(home, 'elsewhere');
      writeContext(docker, 'good', 'ssh://u@h');
      const bad = writeContext(docker, 'bad', 'ssh://x');
      fs.writeFileSync(bad, '{"Name": "bad",\n "Endpoints": {"docker": {"Host": "ssh://x"}\n');
      const list = await listContextMachines({ env: { DOCKER_CONFIG: docker }, homeDir: home });
      assert.deepStrictEqual(list.machines.map((m) => m.name), ['context:good']);
      assert.strictEqual(list.problems.length, 1);
      assert.match(list.problems[0].origin, new RegExp(`${contextDirName('bad')}/meta\\.json:3:1$`));
      assert.match(list.problems[0].message, /not valid JSON at line 3, column 1: a closing } is missing/);
    });

    it('parses ssh URLs as the docker CLI does: no password, no path, IPv6 in brackets', () => {
      assert.deepStrictEqual(parseSshUrl('ssh://me@[fd00::5]:2200'), { host: 'fd00::5', user: 'me', port: 2200 });
      assert.match((parseSshUrl('ssh://me:secret@h') as { error: string }).error, /password/);
      assert.match((parseSshUrl('ssh://h/var/run/docker.sock') as { error: string }).error, /extra path/);
    });
  });

  describe('SSH hosts setting', () => {
    const settings = (entries: unknown[], lines?: number[]) => sshHostMachines({ entries, lines, origin: '/w/.vscode/settings.json', homeDir: '/home/me', baseDir: '/w' });

    it('takes user@host:port, a bare ssh_config alias (port and user left to OpenSSH) and objects', () => {
      const list = settings(['deploy@10.0.0.5:2202', 'flatcar-test', { name: 'lab', host: 'lab.example', user: 'core', port: 22, identityFile: '~/.ssh/lab_ed25519' }, { host: 'rel', identityFile: 'keys/rel' }], [3, 4, 5, 6]);
      assert.deepStrictEqual(list.problems, []);
      assert.deepStrictEqual(list.machines.map((m) => [m.name, m.ssh.host, m.ssh.port, m.ssh.user, m.ssh.identityFile, m.ssh.hostKeys]), [
        ['deploy@10.0.0.5:2202', '10.0.0.5', 2202, 'deploy', undefined, 'user'],
        ['flatcar-test', 'flatcar-test', undefined, undefined, undefined, 'user'],
        ['lab', 'lab.example', 22, 'core', path.join('/home/me', '.ssh/lab_ed25519'), 'user'],
        ['rel', 'rel', undefined, undefined, path.resolve('/w', 'keys/rel'), 'user'],
      ]);
      assert.strictEqual(list.machines[1].origin, '/w/.vscode/settings.json:4 (dockerFork.machines.sshHosts[1])');
    });

    it('refuses entries ssh would misread, naming the entry and line; the others still count', () => {
      const list = settings(['-oProxyCommand=sh', 'me@host:', { host: 'h', port: '22' }, { host: 'h', colour: 'red' }, 42, 'ok'], [2, 3, 4, 5, 6, 7]);
      assert.deepStrictEqual(list.machines.map((m) => m.name), ['ok']);
      assert.deepStrictEqual(list.problems.map((p) => p.origin.split(' ')[0]), ['/w/.vscode/settings.json:2', '/w/.vscode/settings.json:3', '/w/.vscode/settings.json:4', '/w/.vscode/settings.json:5', '/w/.vscode/settings.json:6']);
      assert.match(list.problems[0].message, /starts with "-"/);
      assert.match(list.problems[1].message, /has a ":" but no port/);
      assert.match(list.problems[2].message, /"port" must be a number/);
      assert.match(list.problems[3].message, /unknown field "colour"/);
    });

    it('parses targets with IPv6 and rejects a second @', () => {
      assert.deepStrictEqual(parseSshTarget('root@[2001:db8::1]:22'), { host: '2001:db8::1', user: 'root', port: 22 });
      assert.ok('error' in parseSshTarget('a@b@c'));
    });

    it('are read from the folder settings file with their lines, through the one settings reader', () => {
      const s = parseMachineSettings('{\n  // hosts\n  "dockerFork.machines.sshHosts": [\n    "a@h1",\n    { "host": "h2" },\n  ],\n}\n', '/w/.vscode/settings.json');
      assert.deepStrictEqual([JSON.parse(JSON.stringify(s.sshHosts)), s.sshHostLines, s.problems], [['a@h1', { host: 'h2' }], [4, 5], []]);
      const wrong = parseMachineSettings('{ "dockerFork.machines.sshHosts": "a@h1" }', '/w/s.json');
      assert.match(wrong.problems[0].message, /must be an array/);
    });
  });

  describe('listMachines', () => {
    const list = (machines: MachineList['machines'], problems: MachineList['problems'] = []) => async () => ({ machines, problems });

    it('gathers every source, keeps problems beside machines, and qualifies a name a later source repeats', async () => {
      const store = path.join(home, '.docker', 'machine');
      writeStore(store, { dev: { config: v3Config('dev', 'generic', { IPAddress: '10.0.0.2', SSHUser: 'root', SSHKeyPath: '' }, store) }, broken: { config: '{' } });
      const result = await listMachines({
        env: {},
        homeDir: home,
        sshHosts: { entries: ['dev', 'other@dev:2222', 'nohost@'], origin: 's.json', homeDir: home },
      });
      assert.deepStrictEqual(result.machines.map((m) => [m.name, m.source]), [['dev', 'docker-machine'], ['ssh:dev', 'ssh'], ['other@dev:2222', 'ssh']]);
      assert.deepStrictEqual(result.problems.map((p) => [p.name, p.source]), [['broken', 'docker-machine'], ['nohost@', 'ssh']]);
    });

    it('reports a name taken twice over as a problem naming both origins', async () => {
      const m = (origin: string) => ({ name: 'box', source: 'vagrant' as const, ssh: { host: 'h', hostKeys: 'pinned' as const }, origin });
      const result = await listMachines({ env: {}, homeDir: home, sources: { vagrant: list([m('/a/Vagrantfile'), m('/b/Vagrantfile'), m('/c/Vagrantfile')]) } });
      assert.deepStrictEqual(result.machines.map((x) => x.name), ['box', 'vagrant:box']);
      assert.match(result.problems[0].message, /already used by the machine from \/a\/Vagrantfile and "vagrant:box" by \/b\/Vagrantfile/);
    });

    it('turns a source that fails as a whole into one problem and still lists the others', async () => {
      const result = await listMachines({
        env: {},
        homeDir: home,
        sources: { 'docker-machine': async () => Promise.reject(new Error("EACCES: permission denied, scandir '/s/machines'")), ssh: list([{ name: 'h', source: 'ssh', ssh: { host: 'h', hostKeys: 'user' }, origin: 'o' }]) },
      });
      assert.deepStrictEqual(result.machines.map((x) => x.name), ['h']);
      assert.match(result.problems[0].message, /cannot list docker-machine machines: EACCES: permission denied, scandir '\/s\/machines'/);
    });
  });
});
