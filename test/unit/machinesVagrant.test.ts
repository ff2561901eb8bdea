import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { listVagrantMachines, parseVagrantSshConfig, VagrantRunner } from '../../src/core/machines/vagrantMachines';
import { parseSshConfigBlocks } from '../../src/core/machines/vagrantSshConfig';
import { tempDir } from './machineStoreFixtures';
import { FIXTURES } from './paths';

/** Captured `vagrant ssh-config` output; test/fixtures/outputs/README-vagrant.md says where each is from. */
const output = (name: string) => fs.readFileSync(path.join(FIXTURES, 'outputs', name), 'utf8');

describe('vagrant ssh-config', () => {
  it('reads every machine of a multi-machine Vagrantfile (Vagrant 1.8.5), with its forwarded port and key', () => {
    const list = parseVagrantSshConfig(output('vagrant-1.8.5-ssh-config-multi-machine.txt'), '/p/Vagrantfile (vagrant ssh-config)');
    assert.deepStrictEqual(list.problems, []);
    assert.deepStrictEqual(list.machines.map((m) => [m.name, m.driver, m.ssh.host, m.ssh.port, m.ssh.user, m.ssh.identityFile, m.ssh.hostKeys]), [
      ['node1', 'virtualbox', '127.0.0.1', 2222, 'vagrant', '/home/xxxxxx/centos7/.vagrant/machines/node1/virtualbox/private_key', 'pinned'],
      ['node2', 'virtualbox', '127.0.0.1', 2200, 'vagrant', '/home/xxxxxx/centos7/.vagrant/machines/node2/virtualbox/private_key', 'pinned'],
    ]);
    // Options that change how the box accepts a login go on; the host-key ones are replaced by pinning, LogLevel FATAL would hide errors.
    assert.deepStrictEqual(list.machines[0].ssh.options, { IdentitiesOnly: 'yes', PasswordAuthentication: 'no' });
    assert.strictEqual(list.machines[0].origin, '/p/Vagrantfile (vagrant ssh-config)');
  });

  it('reads the 2013 single-machine output with the shared insecure key (no provider in the path)', () => {
    const [m] = parseVagrantSshConfig(output('vagrant-1.1-ssh-config-default.txt'), 'o').machines;
    assert.deepStrictEqual([m.name, m.driver, m.ssh.port, m.ssh.identityFile], ['default', undefined, 2222, '/Users/bat/.vagrant.d/insecure_private_key']);
  });

  it("passes on current Vagrant's ssh-rsa options (vagrant's own template test output)", () => {
    const [m] = parseVagrantSshConfig(output('vagrant-2.4-ssh-config-template-test.txt'), 'o').machines;
    assert.deepStrictEqual([m.ssh.host, m.ssh.port, m.ssh.user], ['testhost.vagrant.dev', 1234, 'testuser']);
    assert.deepStrictEqual(m.ssh.options, { IdentitiesOnly: 'yes', PasswordAuthentication: 'no', PubkeyAcceptedKeyTypes: '+ssh-rsa', HostKeyAlgorithms: '+ssh-rsa' });
  });

  it('keeps a quoted IdentityFile whole: spaces, and quotes vagrant did not escape (issue #6428); no Port means OpenSSH decides', () => {
    const [m] = parseVagrantSshConfig(output('vagrant-1.7-ssh-config-quoted-identityfile.txt'), 'o').machines;
    assert.strictEqual(m.ssh.identityFile, '/private/tmp/test of "vagrant" plugin/.vagrant/machines/default/virtualbox/private_key');
    assert.strictEqual(m.ssh.port, undefined);
    // The template's own case: `IdentityFile "with a space"` (config.erb quotes any path with a space).
    assert.strictEqual(parseVagrantSshConfig('Host w\n  HostName h\n  IdentityFile "C:/Users/Colovic Vladan/.vagrant.d/insecure_private_key"\n', 'o').machines[0].ssh.identityFile, 'C:/Users/Colovic Vladan/.vagrant.d/insecure_private_key');
  });

  it("uses the user's known_hosts when Vagrant itself verifies host keys (config.ssh.verify_host_key: no StrictHostKeyChecking line)", () => {
    const [m] = parseVagrantSshConfig('Host v\n  HostName 10.0.0.9\n  User vagrant\n  Port 22\n  PasswordAuthentication no\n', 'o').machines;
    assert.strictEqual(m.ssh.hostKeys, 'user');
  });

  it('reads Keyword=value and any keyword case, as OpenSSH does; extra keys are named in a warning', () => {
    const blocks = parseSshConfigBlocks('# comment\nHost a\n  hostname=10.1.1.1\n  PORT 2201\n  IdentityFile /k1\n  IdentityFile /k2\n');
    assert.deepStrictEqual([blocks[0].host, blocks[0].line, blocks[0].values.get('hostname'), blocks[0].values.get('identityfile')], ['a', 2, ['10.1.1.1'], ['/k1', '/k2']]);
    const [m] = parseVagrantSshConfig('Host a\n  hostname=10.1.1.1\n  PORT 2201\n  IdentityFile /k1\n  IdentityFile /k2\n', 'o').machines;
    assert.deepStrictEqual([m.ssh.port, m.ssh.identityFile], [2201, '/k1']);
    assert.match(m.warnings![0], /2 keys for a; only the first, \/k1, is used/);
  });

  it('makes a block without HostName, or with a port that is no port, a problem naming the Host and line', () => {
    const list = parseVagrantSshConfig('Host ok\n  HostName 1.2.3.4\n\nHost nohost\n  User vagrant\n\nHost badport\n  HostName 1.2.3.5\n  Port 99999\n', '/p/Vagrantfile (vagrant ssh-config)');
    assert.deepStrictEqual(list.machines.map((m) => m.name), ['ok']);
    assert.deepStrictEqual(list.problems.map((p) => [p.name, p.origin]), [
      ['nohost', '/p/Vagrantfile (vagrant ssh-config), Host nohost (line 4)'],
      ['badport', '/p/Vagrantfile (vagrant ssh-config), Host badport (line 7)'],
    ]);
    assert.match(list.problems[1].message, /port 99999 is not a TCP port/);
  });

  describe('running vagrant', () => {
    let folder: string;
    beforeEach(() => {
      folder = tempDir('vagrant');
      fs.writeFileSync(path.join(folder, 'Vagrantfile'), 'Vagrant.configure("2") do |config|\nend\n');
    });
    afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

    it('runs `vagrant ssh-config` as an argv array in the Vagrantfile folder', async () => {
      const calls: Array<[readonly string[], string]> = [];
      const run: VagrantRunner = async (argv, cwd) => (calls.push([argv, cwd]), { exitCode: 0, stdout: output('vagrant-1.8.5-ssh-config-multi-machine.txt'), stderr: '' });
      const list = await listVagrantMachines(folder, run);
      assert.deepStrictEqual(calls, [[['ssh-config'], folder]]);
      assert.deepStrictEqual(list.machines.map((m) => m.origin), [path.join(folder, 'Vagrantfile') + ' (vagrant ssh-config)', path.join(folder, 'Vagrantfile') + ' (vagrant ssh-config)']);
    });

    it('keeps the machines printed before vagrant stopped at one that is not running, and says why', async () => {
      const partial = output('vagrant-1.8.5-ssh-config-multi-machine.txt').split('\nHost node2')[0];
      const list = await listVagrantMachines(folder, async () => ({ exitCode: 1, stdout: partial, stderr: output('vagrant-ssh-config-not-ready.stderr') }));
      assert.deepStrictEqual(list.machines.map((m) => m.name), ['node1']);
      assert.strictEqual(list.problems.length, 1);
      assert.match(list.problems[0].message, new RegExp(`vagrant ssh-config failed in ${folder}: .*you're using\\. \\('vagrant up'`));
    });

    it('says when vagrant is not installed, and when the folder has no Vagrantfile, without running anything', async () => {
      const enoent = Object.assign(new Error('spawn vagrant ENOENT'), { code: 'ENOENT' });
      const missing = await listVagrantMachines(folder, async () => Promise.reject(enoent));
      assert.match(missing.problems[0].message, /vagrant is not installed or not on PATH/);
      let ran = false;
      const none = await listVagrantMachines(path.join(folder, 'elsewhere'), async () => ((ran = true), { exitCode: 0, stdout: '', stderr: '' }));
      assert.strictEqual(ran, false);
      assert.match(none.problems[0].message, /there is no Vagrantfile in/);
    });
  });
});
