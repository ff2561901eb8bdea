import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseMachineConfig } from '../../src/core/machines/dockerMachineConfig';
import { MachineStore, machineStoragePath } from '../../src/core/machines/dockerMachineStore';
import { Machine, MachineList } from '../../src/core/machines/machine';
import { SAMPLE_CONFIGS, sampleText, tempDir, v3Config, writeStore } from './machineStoreFixtures';

const CERTS = ['ca.pem', 'cert.pem', 'key.pem'];

function byName(list: MachineList, name: string): Machine {
  const m = list.machines.find((x) => x.name === name);
  assert.ok(m, `${name} listed; problems: ${JSON.stringify(list.problems)}`);
  return m;
}

describe('docker-machine store', () => {
  let root: string;
  beforeEach(() => (root = tempDir('machine-store')));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is MACHINE_STORAGE_PATH, else ~/.docker/machine of the given home', () => {
    assert.strictEqual(machineStoragePath({ env: { MACHINE_STORAGE_PATH: '/srv/machines' }, homeDir: '/home/u' }), '/srv/machines');
    assert.strictEqual(machineStoragePath({ env: {}, homeDir: '/home/u' }), path.join('/home/u', '.docker', 'machine'));
  });

  it('reads the real v3 virtualbox sample as docker-machine ssh would connect: 127.0.0.1, the forwarded port, user docker, the machine key', async () => {
    writeStore(root, { linuxtips: { config: sampleText(SAMPLE_CONFIGS.linuxtips), files: ['id_rsa', ...CERTS] } });
    const m = byName(await new MachineStore(root).list(), 'linuxtips');
    const dir = path.join(root, 'machines', 'linuxtips');
    assert.deepStrictEqual(m.ssh, { host: '127.0.0.1', port: 57249, user: 'docker', identityFile: path.join(dir, 'id_rsa'), hostKeys: 'pinned', options: { IdentitiesOnly: 'yes' } });
    assert.deepStrictEqual(m.engine, { host: 'tcp://192.168.99.100:2376', tls: { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') } });
    assert.strictEqual(m.driver, 'virtualbox');
    assert.strictEqual(m.daemonHost, 'tcp://localhost:2376', 'its TLS port as the machine sees it');
    assert.strictEqual(m.origin, path.join(dir, 'config.json'));
    // The sample's SSHKeyPath is /Users/jeferson/...: the store was moved here, and the message says so.
    assert.strictEqual(m.warnings?.length, 1);
    assert.match(m.warnings[0], /\/Users\/jeferson\/\.docker\/machine\/machines\/linuxtips\/id_rsa .*does not exist; using .*linuxtips\/id_rsa.*store was moved/);
  });

  it('takes the driver from RawDriver where the v3 Driver object is a stub (the sample from docker-machine migrate_test.go)', async () => {
    writeStore(root, { default: { config: sampleText(SAMPLE_CONFIGS.default), files: ['id_rsa', ...CERTS] } });
    const m = byName(await new MachineStore(root).list(), 'default');
    assert.deepStrictEqual([m.ssh.host, m.ssh.port, m.ssh.user, m.ssh.identityFile], ['127.0.0.1', 58145, 'docker', path.join(root, 'machines/default/id_rsa')]);
    assert.strictEqual(m.engine?.host, 'tcp://192.168.99.100:2376');
    assert.ok(m.warnings?.some((w) => /IPAddress, SSHUser, SSHPort, SSHKeyPath, StorePath read from RawDriver/.test(w)), String(m.warnings));
  });

  it('reads the real v1 sample, resolving the key as the v1→v2→v3 migration does (Dir(Dir(StorePath))/machines/NAME/id_rsa)', async () => {
    writeStore(root, { foobar: { config: sampleText(SAMPLE_CONFIGS.foobar) } });
    const m = byName(await new MachineStore(root).list(), 'foobar');
    assert.deepStrictEqual([m.ssh.host, m.ssh.port, m.ssh.user], ['127.0.0.1', 64477, 'docker']);
    assert.strictEqual(m.ssh.identityFile, '/Users/catbug/.docker/machine/machines/foobar/id_rsa');
    // Neither the key nor the certificates exist here: each is named, and the machine is still listed.
    assert.ok(m.warnings?.some((w) => w.includes('SSH key /Users/catbug/.docker/machine/machines/foobar/id_rsa does not exist')), String(m.warnings));
    assert.ok(m.warnings?.some((w) => /TLS ca\.pem, cert\.pem, key\.pem .*regenerate-certs foobar/.test(w)), String(m.warnings));
  });

  it('uses the TLS originals named in AuthOptions when the machine folder has no copies', async () => {
    const certs = path.join(root, 'certs');
    fs.mkdirSync(certs);
    for (const f of CERTS) fs.writeFileSync(path.join(certs, f), 'x');
    writeStore(root, { gen: { config: v3Config('gen', 'generic', { IPAddress: '10.0.0.5', SSHUser: 'ubuntu', SSHPort: 22, SSHKeyPath: '' }, root) } });
    const m = byName(await new MachineStore(root).list(), 'gen');
    assert.deepStrictEqual(m.engine?.tls, { ca: path.join(certs, 'ca.pem'), cert: path.join(certs, 'cert.pem'), key: path.join(certs, 'key.pem') });
  });

  describe('driver by driver, as docker-machine resolves GetSSHHostname/Port/Username/KeyPath', () => {
    const cases: Array<{ why: string; driver: string; fields: Record<string, unknown>; expect: (dir: string, store: string) => Partial<Machine['ssh']> & { engine?: string } }> = [
      // drivers/generic/generic.go: SSHKeyPath is the copy in the store; user as given; engine on EnginePort.
      { why: "generic: the key copied into the store, the user and port as given, the engine on EnginePort", driver: 'generic', fields: { IPAddress: '203.0.113.7', SSHUser: 'core', SSHPort: 2222, SSHKeyPath: '__DIR__/id_rsa', EnginePort: 2377, SSHKey: '/home/me/.ssh/id_rsa' }, expect: (dir) => ({ host: '203.0.113.7', port: 2222, user: 'core', identityFile: path.join(dir, 'id_rsa'), engine: 'tcp://203.0.113.7:2377' }) },
      // generic without a key: no -i, the agent and default keys (and no IdentitiesOnly).
      { why: "generic without a key: no -i and no IdentitiesOnly, so the agent and default keys are offered", driver: 'generic', fields: { IPAddress: '203.0.113.8', SSHUser: 'root', SSHPort: 22, SSHKeyPath: '', EnginePort: 2376, SSHKey: '' }, expect: () => ({ host: '203.0.113.8', port: 22, user: 'root', identityFile: undefined, options: undefined, engine: 'tcp://203.0.113.8:2376' }) },
      // drivers/amazonec2: user ubuntu by default, key in the machine folder.
      { why: "amazonec2: user ubuntu and the machine folder's id_rsa by default", driver: 'amazonec2', fields: { IPAddress: '54.1.2.3', SSHUser: '', SSHPort: 0, SSHKeyPath: '', KeyName: 'm1', InstanceId: 'i-0abc', PrivateIPAddress: '172.31.5.6', SSHPrivateKeyPath: '', Region: 'us-east-1', SecretKey: 'do-not-print' }, expect: (dir) => ({ host: '54.1.2.3', port: 22, user: 'ubuntu', identityFile: path.join(dir, 'id_rsa'), engine: 'tcp://54.1.2.3:2376' }) },
      // drivers/digitalocean: an imported key sits in the machine folder under its own name.
      { why: "digitalocean: an imported key is the copy under its own name in the machine folder", driver: 'digitalocean', fields: { IPAddress: '167.99.1.2', SSHUser: 'root', SSHPort: 22, SSHKey: '/home/me/.ssh/do_key', SSHKeyFingerprint: '', AccessToken: 'do-not-print' }, expect: (dir) => ({ host: '167.99.1.2', user: 'root', identityFile: path.join(dir, 'do_key') }) },
      // digitalocean with only a fingerprint: no key file at all.
      { why: "digitalocean with only a key fingerprint: no key file", driver: 'digitalocean', fields: { IPAddress: '167.99.1.3', SSHUser: 'root', SSHPort: 22, SSHKey: '', SSHKeyPath: '', SSHKeyFingerprint: 'aa:bb' }, expect: () => ({ host: '167.99.1.3', identityFile: undefined }) },
      { why: "google: user docker-user by default", driver: 'google', fields: { IPAddress: '35.1.2.3', SSHUser: '', SSHPort: 22, Zone: 'us-central1-a', Project: 'p' }, expect: (dir) => ({ user: 'docker-user', identityFile: path.join(dir, 'id_rsa') }) },
      { why: "exoscale: the image's usual user (CoreOS: core) when none was given", driver: 'exoscale', fields: { IPAddress: '185.19.1.2', SSHUser: '', Image: 'Linux CoreOS stable 1298 64-bit' }, expect: () => ({ user: 'core', port: 22 }) },
      { why: "vmwarevcloudair: PublicIP for SSH and the engine on DockerPort", driver: 'vmwarevcloudair', fields: { IPAddress: '', PublicIP: '198.51.100.4', SSHUser: 'root', SSHPort: 2022, DockerPort: 2377 }, expect: () => ({ host: '198.51.100.4', port: 2022, user: 'root', engine: 'tcp://198.51.100.4:2377' }) },
      { why: "azure: the engine on DockerPort", driver: 'azure', fields: { IPAddress: '40.1.2.3', SSHUser: 'docker-user', SSHPort: 22, DockerPort: 2376 }, expect: () => ({ user: 'docker-user', engine: 'tcp://40.1.2.3:2376' }) },
      { why: "vmwarefusion: boot2docker's user docker by default", driver: 'vmwarefusion', fields: { IPAddress: '172.16.1.2', SSHUser: '', SSHPort: 22 }, expect: () => ({ user: 'docker' }) },
      { why: "hyperv: an IPv6 address in brackets in the engine URL", driver: 'hyperv', fields: { IPAddress: 'fe80::1', SSHUser: 'docker', SSHPort: 22 }, expect: () => ({ host: 'fe80::1', engine: 'tcp://[fe80::1]:2376' }) },
    ];
    for (const c of cases) {
      it(c.why, async () => {
        const dir = path.join(root, 'machines', 'm');
        const fields = JSON.parse(JSON.stringify(c.fields).replace(/__DIR__/g, dir)) as Record<string, unknown>;
        writeStore(root, { m: { config: v3Config('m', c.driver, fields, root), files: ['id_rsa', 'do_key', ...CERTS] } });
        const m = byName(await new MachineStore(root).list(), 'm');
        const { engine, ...ssh } = c.expect(dir, root);
        for (const [k, v] of Object.entries(ssh)) assert.deepStrictEqual(m.ssh[k as keyof Machine['ssh']], v, k);
        if (engine) assert.strictEqual(m.engine?.host, engine);
        assert.strictEqual(m.ssh.hostKeys, 'pinned');
        assert.ok(!JSON.stringify(m).includes('do-not-print'), 'credentials from the driver never reach the machine');
      });
    }

    it('resolves a third-party plugin driver with BaseDriver defaults, and says so', async () => {
      writeStore(root, { kvm1: { config: v3Config('kvm1', 'kvm', { IPAddress: '192.168.42.10', SSHUser: '', SSHPort: 0 }, root), files: ['id_rsa'] } });
      const m = byName(await new MachineStore(root).list(), 'kvm1');
      assert.deepStrictEqual([m.ssh.user, m.ssh.port, m.ssh.identityFile], ['root', 22, path.join(root, 'machines/kvm1/id_rsa')]);
      assert.ok(m.warnings?.some((w) => w.includes('driver "kvm" is a plugin')));
    });

    it('reads a v0 file (flat, 0.1 era) and a v2 file, keys from the migrated store path', async () => {
      const v0 = { DriverName: 'virtualbox', Driver: { IPAddress: '192.168.99.101', SSHUser: 'docker', SSHPort: 50000, MachineName: 'old' }, StorePath: `${root}/machines/old`, CaCertPath: `${root}/certs/ca.pem`, ClientCertPath: `${root}/certs/cert.pem`, ClientKeyPath: `${root}/certs/key.pem`, PrivateKeyPath: `${root}/certs/ca-key.pem` };
      const v2 = { ConfigVersion: 2, DriverName: 'virtualbox', Driver: { IPAddress: '192.168.99.102', SSHUser: 'docker', SSHPort: 50001, MachineName: 'mid' }, HostOptions: { AuthOptions: { StorePath: root } }, Name: 'mid' };
      writeStore(root, { old: { config: JSON.stringify(v0), files: ['id_rsa'] }, mid: { config: JSON.stringify(v2), files: ['id_rsa'] } });
      const list = await new MachineStore(root).list();
      assert.deepStrictEqual(list.problems, []);
      assert.deepStrictEqual([byName(list, 'old').ssh.port, byName(list, 'old').ssh.identityFile], [50000, path.join(root, 'machines/old/id_rsa')]);
      // v2 had no top-level StorePath: docker-machine would resolve against its working folder; the store read is used.
      assert.deepStrictEqual([byName(list, 'mid').ssh.port, byName(list, 'mid').ssh.identityFile], [50001, path.join(root, 'machines/mid/id_rsa')]);
    });
  });

  describe('broken machines are problems naming the file; the good ones stay listed', () => {
    it('bad JSON (with line:column), no driver, a future version, a field of the wrong type, no config.json, a --url machine', async () => {
      writeStore(root, {
        good: { config: sampleText(SAMPLE_CONFIGS.linuxtips), files: ['id_rsa', ...CERTS] },
        badjson: { config: '{\n    "ConfigVersion": 3,\n    "Driver": {\n        "IPAddress": "1.2.3.4",\n    },\n}' },
        nodriver: { config: JSON.stringify({ ConfigVersion: 3, Driver: { IPAddress: '1.2.3.4' }, Name: 'nodriver' }) },
        future: { config: JSON.stringify({ ConfigVersion: 4, Driver: { MachineName: 'future' }, DriverName: 'virtualbox' }) },
        badport: { config: v3Config('badport', 'generic', { IPAddress: '1.2.3.4', SSHPort: '22' }, root) },
        url: { config: v3Config('url', 'none', { URL: 'tcp://10.1.1.1:2376' }, root) },
      });
      fs.mkdirSync(path.join(root, 'machines', 'empty'));
      fs.mkdirSync(path.join(root, 'machines', '.hidden'));
      const list = await new MachineStore(root).list();
      assert.deepStrictEqual(list.machines.map((m) => m.name), ['good']);
      const problem = (name: string) => list.problems.find((p) => p.name === name);
      const file = (name: string) => path.join(root, 'machines', name, 'config.json');
      assert.strictEqual(problem('badjson')?.origin, `${file('badjson')}:5:5`);
      assert.match(problem('badjson')!.message, /not valid JSON at line 5, column 5/);
      assert.match(problem('nodriver')!.message, /names no driver/);
      assert.match(problem('future')!.message, /ConfigVersion 4 .*from the future/);
      assert.match(problem('badport')!.message, /Driver\.SSHPort must be a whole number, not "22"/);
      assert.strictEqual(problem('badport')?.origin, file('badport'));
      assert.match(problem('empty')!.message, /has no config\.json/);
      assert.match(problem('url')!.message, /no SSH access .*--url tcp:\/\/10\.1\.1\.1:2376.*sshHosts/);
      assert.strictEqual(problem('.hidden'), undefined, 'dot folders are skipped, as Filestore.List does');
      assert.strictEqual(list.problems.length, 6);
    });

    it('refuses an address or user that ssh would read as an option', async () => {
      writeStore(root, { evil: { config: v3Config('evil', 'generic', { IPAddress: '-oProxyCommand=touch /tmp/x', SSHUser: 'root' }, root) } });
      const list = await new MachineStore(root).list();
      assert.deepStrictEqual(list.machines, []);
      assert.match(list.problems[0].message, /starts with "-", which ssh would read as an option/);
    });

    it('refuses a virtualbox machine without a forwarded port rather than SSH to this computer', () => {
      const r = parseMachineConfig('vb', v3Config('vb', 'virtualbox', { IPAddress: '192.168.99.100', SSHPort: 0 }, root), '/s/machines/vb/config.json', '/s');
      assert.ok('problem' in r);
      assert.match(r.problem.message, /no forwarded SSH port .*docker-machine start vb/);
    });

    it('flags a key that is missing or readable by others, naming the path', async function () {
      if (process.platform === 'win32') this.skip();
      writeStore(root, {
        nokey: { config: v3Config('nokey', 'generic', { IPAddress: '10.0.0.1', SSHUser: 'u', SSHKeyPath: `${root}/machines/nokey/absent_key` }, root) },
        openkey: { config: v3Config('openkey', 'generic', { IPAddress: '10.0.0.2', SSHUser: 'u', SSHKeyPath: `${root}/machines/openkey/id_rsa` }, root), files: ['id_rsa'] },
      });
      fs.chmodSync(path.join(root, 'machines/openkey/id_rsa'), 0o644);
      const list = await new MachineStore(root).list();
      assert.match(byName(list, 'nokey').warnings!.join('\n'), new RegExp(`SSH key ${root}/machines/nokey/absent_key does not exist`));
      assert.match(byName(list, 'openkey').warnings!.join('\n'), /permissions 0644, which ssh refuses as too open; run chmod 600/);
    });
  });

  it('lists nothing, without a problem, where there is no store', async () => {
    assert.deepStrictEqual(await new MachineStore(path.join(root, 'nowhere')).list(), { machines: [], problems: [] });
  });
});
