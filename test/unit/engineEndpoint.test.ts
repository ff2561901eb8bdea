import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Docker from 'dockerode';
import { contextDirName, DEFAULT_HOST, describeEndpoint, EngineConfigError, isRemote, parseDockerHost, resolveEngine } from '../../src/core/engine/endpoint';
import { SshDialAgent, sshArgsFor } from '../../src/core/engine/sshDialAgent';

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

  const writeCerts = (...names: string[]) => {
    const dir = path.join(home, 'certs');
    fs.mkdirSync(dir, { recursive: true });
    for (const n of names) fs.writeFileSync(path.join(dir, n), 'x');
    return dir;
  };

  it('uses DOCKER_HOST with TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, ahead of DOCKER_CONTEXT', async () => {
    writeContext('other', 'tcp://10.9.9.9:2376');
    const certs = writeCerts('ca.pem', 'cert.pem', 'key.pem');
    const ep = await resolveEngine({ env: { DOCKER_HOST: 'tcp://build.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs, DOCKER_CONTEXT: 'other' }, homeDir: home });
    assert.strictEqual(ep.host, 'tcp://build.example:2376');
    assert.strictEqual(ep.source, 'DOCKER_HOST');
    assert.deepStrictEqual(ep.tls, { ca: `${certs}/ca.pem`, cert: `${certs}/cert.pem`, key: `${certs}/key.pem`, verify: true });
  });

  it('drops a missing client cert or key but never the CA, as the CLI does (cli/flags/options.go)', async () => {
    const certs = writeCerts('ca.pem');
    const env = { DOCKER_HOST: 'tcp://build.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    assert.deepStrictEqual((await resolveEngine({ env, homeDir: home })).tls, { ca: `${certs}/ca.pem`, cert: undefined, key: undefined, verify: true });
    fs.writeFileSync(path.join(certs, 'key.pem'), 'x');
    assert.deepStrictEqual((await resolveEngine({ env, homeDir: home })).tls, { ca: `${certs}/ca.pem`, cert: undefined, key: `${certs}/key.pem`, verify: true });
    fs.rmSync(path.join(certs, 'ca.pem'));
    await assert.rejects(resolveEngine({ env, homeDir: home }), (e: Error) => {
      assert.ok(e instanceof EngineConfigError);
      assert.match(e.message, /DOCKER_TLS_VERIFY is set but there is no CA certificate at .*certs\/ca\.pem \(from DOCKER_CERT_PATH\)/);
      return true;
    });
    // DOCKER_TLS alone: TLS without verifying the server; the CA is still required, as the CLI reads it.
    await assert.rejects(resolveEngine({ env: { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS: '1', DOCKER_CERT_PATH: certs }, homeDir: home }), /DOCKER_TLS is set but there is no CA certificate/);
    writeCerts('ca.pem');
    assert.strictEqual((await resolveEngine({ env: { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS: '1', DOCKER_CERT_PATH: certs }, homeDir: home })).tls?.verify, false);
  });

  it('defaults to tcp://localhost:2376 with TLS on and no DOCKER_HOST, and keeps TLS off sockets and ssh', async () => {
    const certs = writeCerts('ca.pem');
    const ep = await resolveEngine({ env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, homeDir: home });
    assert.deepStrictEqual([ep.host, ep.source, ep.tls?.verify], ['tcp://localhost:2376', 'default', true]);
    for (const host of ['unix:///run/x.sock', 'ssh://me@builder']) {
      assert.strictEqual((await resolveEngine({ env: { DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, homeDir: home })).tls, undefined, host);
    }
  });

  it('reads DOCKER_HOST without a scheme as tcp://, with the CLI\'s defaults (opts/hosts.go ParseHost)', async () => {
    // The table of docker/cli's own opts/hosts_test.go (Linux defaults).
    const valid: Record<string, string> = {
      '': DEFAULT_HOST,
      '  ': DEFAULT_HOST,
      'fd://something': 'fd://something',
      'tcp://host:': 'tcp://host:2375',
      'tcp://': 'tcp://localhost:2375',
      'tcp://:2376': 'tcp://localhost:2376',
      'tcp://192.168:8080': 'tcp://192.168:8080',
      ' tcp://:7777/path ': 'tcp://localhost:7777/path',
      'tcp://docker.com': 'tcp://docker.com:2375',
      'unix://': 'unix:///var/run/docker.sock',
      'unix://path/to/socket': 'unix://path/to/socket',
      'ssh://me@builder:22': 'ssh://me@builder:22',
      '0.0.0.1:': 'tcp://0.0.0.1:2375',
      '0.0.0.1:5555/path': 'tcp://0.0.0.1:5555/path',
      '[::1]:': 'tcp://[::1]:2375',
      '[::1]:5555': 'tcp://[::1]:5555',
      ':6666': 'tcp://localhost:6666',
      'localhost:5555': 'tcp://localhost:5555',
      'build.example': 'tcp://build.example:2375',
    };
    for (const [value, expected] of Object.entries(valid)) assert.strictEqual(parseDockerHost(value, false), expected, JSON.stringify(value));
    assert.strictEqual(parseDockerHost('', true), 'tcp://localhost:2376');
    assert.strictEqual(parseDockerHost('tcp://h', true), 'tcp://h:2375', 'the CLI adds 2375 even with TLS on');
    for (const value of ['something with spaces', '://', 'unknown://', 'udp://127.0.0.1', 'tcp://:port', 'tcp://invalid:port', 'tcp:a.b.c.d', 'tcp://unix:///run/docker.sock']) {
      assert.throws(() => parseDockerHost(value, false), (e: Error) => e instanceof EngineConfigError && e.message.includes(`DOCKER_HOST "${value}"`), JSON.stringify(value));
    }
    const ep = await resolveEngine({ env: { DOCKER_HOST: '127.0.0.1:2376' }, homeDir: home });
    assert.deepStrictEqual([ep.host, ep.tls], ['tcp://127.0.0.1:2376', undefined]);
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

  it('speaks TLS for a context with SkipTLSVerify and no TLS files (cli/context/docker/load.go)', async () => {
    writeContext('skip-only', 'tcp://10.1.2.3:2376', true);
    writeContext('plain', 'tcp://10.1.2.3:2375', false);
    writeContext('skip-socket', 'unix:///run/x.sock', true);
    assert.deepStrictEqual((await resolveEngine({ env: { DOCKER_CONTEXT: 'skip-only' }, homeDir: home })).tls, { ca: undefined, cert: undefined, key: undefined, verify: false });
    assert.strictEqual((await resolveEngine({ env: { DOCKER_CONTEXT: 'plain' }, homeDir: home })).tls, undefined);
    assert.strictEqual((await resolveEngine({ env: { DOCKER_CONTEXT: 'skip-socket' }, homeDir: home })).tls, undefined, 'sockets never get TLS');
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

  it('reports ssh\'s exit reason, never a bare stream error, when ssh closes its pipes before it exits', async () => {
    // A fault the real ssh produces only sometimes (the race this guards): a
    // stand-in that closes stdin and stdout at once, complains, and exits a
    // little later, so the pipe errors always come first.
    const fakeSsh = path.join(home, 'ssh');
    fs.writeFileSync(fakeSsh, '#!/bin/sh\nexec 0<&- 1>&-\necho "Host key verification failed." >&2\nsleep 0.3\nexit 255\n', { mode: 0o755 });
    for (let i = 0; i < 3; i++) {
      const docker = new Docker({ protocol: 'http', host: 'docker', port: 80, agent: new SshDialAgent('ssh://me@builder.example:2222', fakeSsh) } as Docker.DockerOptions);
      await assert.rejects(docker.info(), (e: Error) => {
        assert.match(e.message, /ssh to ssh:\/\/me@builder\.example:2222 failed \(exit 255\): Host key verification failed\./);
        return true;
      });
    }
  });

  it('says which program could not be run for an ssh:// host', async () => {
    const docker = new Docker({ protocol: 'http', host: 'docker', port: 80, agent: new SshDialAgent('ssh://builder', path.join(home, 'no-such-ssh')) } as Docker.DockerOptions);
    await assert.rejects(docker.ping(), /cannot run .*no-such-ssh for ssh:\/\/builder: spawn .*ENOENT/);
  });
});
