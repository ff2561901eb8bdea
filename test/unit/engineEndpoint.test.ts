import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { contextDirName, DEFAULT_HOST, describeEndpoint, EngineConfigError, isRemote, resolveEngine } from '../../src/core/engine/endpoint';
import { sshArgsFor } from '../../src/core/engine/sshDialAgent';

describe('engine endpoint resolution (docker CLI rules)', () => {
  let home: string;
  beforeEach(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-unit-home-'))));
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const writeContext = (name: string, host: string, skipTls = false) => {
    const dir = path.join(home, '.docker/contexts/meta', contextDirName(name));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTls } } }));
  };
  const writeConfig = (text: string) => {
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker/config.json'), text);
  };

  it('falls back to the default socket with no variables and no config', async () => {
    const ep = await resolveEngine({ env: {}, homeDir: home });
    assert.deepStrictEqual(ep, { host: DEFAULT_HOST, contextName: 'default', source: 'default', tls: undefined });
  });

  it('uses DOCKER_HOST with TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, ahead of DOCKER_CONTEXT', async () => {
    writeContext('other', 'tcp://10.9.9.9:2376');
    const ep = await resolveEngine({ env: { DOCKER_HOST: 'tcp://build.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs', DOCKER_CONTEXT: 'other' }, homeDir: home });
    assert.strictEqual(ep.host, 'tcp://build.example:2376');
    assert.strictEqual(ep.source, 'DOCKER_HOST');
    assert.deepStrictEqual(ep.tls, { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  });

  it('follows DOCKER_CONTEXT, then currentContext in config.json, into the context store keyed by sha256', async () => {
    writeContext('remote-builder', 'ssh://dev@builder');
    writeContext('from-config', 'unix:///run/other.sock');
    writeConfig(JSON.stringify({ auths: {}, currentContext: 'from-config' }));
    assert.strictEqual((await resolveEngine({ env: { DOCKER_CONTEXT: 'remote-builder' }, homeDir: home })).host, 'ssh://dev@builder');
    const fromConfig = await resolveEngine({ env: {}, homeDir: home });
    assert.deepStrictEqual([fromConfig.host, fromConfig.contextName, fromConfig.source], ['unix:///run/other.sock', 'from-config', 'config.json']);
    assert.strictEqual((await resolveEngine({ env: {}, homeDir: home, contextOverride: 'remote-builder' })).source, 'override');
  });

  it('reads DOCKER_CONFIG instead of ~/.docker', async () => {
    const other = path.join(home, 'elsewhere');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'config.json'), '{"currentContext":"nowhere"}');
    await assert.rejects(resolveEngine({ env: { DOCKER_CONFIG: other }, homeDir: home }), /context "nowhere" \(from currentContext in .*elsewhere\/config\.json\) does not exist/);
  });

  it('names the variable and the missing file for an unknown context', async () => {
    await assert.rejects(resolveEngine({ env: { DOCKER_CONTEXT: 'typo' }, homeDir: home }), (e: Error) => {
      assert.ok(e instanceof EngineConfigError);
      assert.match(e.message, /Docker context "typo" \(from DOCKER_CONTEXT\) does not exist/);
      assert.ok(e.message.includes(contextDirName('typo')));
      return true;
    });
  });

  it('names config.json when it is not valid JSON', async () => {
    writeConfig('{"currentContext": ');
    await assert.rejects(resolveEngine({ env: {}, homeDir: home }), /\.docker\/config\.json is not valid JSON/);
  });

  it('picks up TLS files stored with a context and SkipTLSVerify', async () => {
    writeContext('tls-ctx', 'tcp://10.1.2.3:2376', true);
    const tlsDir = path.join(home, '.docker/contexts/tls', contextDirName('tls-ctx'), 'docker');
    fs.mkdirSync(tlsDir, { recursive: true });
    fs.writeFileSync(path.join(tlsDir, 'ca.pem'), 'x');
    const ep = await resolveEngine({ env: { DOCKER_CONTEXT: 'tls-ctx' }, homeDir: home });
    assert.deepStrictEqual(ep.tls, { ca: path.join(tlsDir, 'ca.pem'), cert: undefined, key: undefined, verify: false });
    assert.match(describeEndpoint(ep), /tcp:\/\/10\.1\.2\.3:2376 \(context tls-ctx, from DOCKER_CONTEXT, TLS unverified\)/);
  });

  it('knows which hosts make bind mounts point at another disk', () => {
    assert.strictEqual(isRemote({ host: 'unix:///var/run/docker.sock', contextName: 'default', source: 'default' }), false);
    assert.strictEqual(isRemote({ host: 'tcp://127.0.0.1:2375', contextName: 'default', source: 'default' }), false);
    assert.strictEqual(isRemote({ host: 'tcp://192.0.2.10:2376', contextName: 'default', source: 'default' }), true);
    assert.strictEqual(isRemote({ host: 'ssh://me@127.0.0.1', contextName: 'default', source: 'default' }), true);
  });

  it('turns ssh:// hosts into ssh argv with the host after --, so it can never be an option', () => {
    assert.deepStrictEqual(sshArgsFor('ssh://core@builder:2222'), ['-l', 'core', '-p', '2222', '-o', 'ConnectTimeout=30', '-T', '--', 'builder', 'docker', 'system', 'dial-stdio']);
    assert.deepStrictEqual(sshArgsFor('ssh://[::1]').slice(-5), ['--', '::1', 'docker', 'system', 'dial-stdio']);
    assert.deepStrictEqual(sshArgsFor('ssh://-oProxyCommand=x').slice(-5, -3), ['--', '-oProxyCommand=x']);
    assert.throws(() => sshArgsFor('ssh://host/path'), /must not have a path/);
  });
});
