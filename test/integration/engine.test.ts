import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { createDockerClient } from '../../src/core/engine/client';
import { resolveEngine } from '../../src/core/engine/endpoint';
import { findBinary } from '../services/preflight';
import { run } from '../services/processes';
import { currentRig } from './rigHooks';

/** Where the docker CLI says it is connected: the engine's own ID. */
async function cliEngineId(env: NodeJS.ProcessEnv, docker = 'docker'): Promise<string> {
  return (await run(docker, ['info', '--format', '{{.ID}}'], { env })).trim();
}

/** Both docker CLIs on this machine: the current one and Debian's 20.10, whose rules we also match. */
const DOCKER_CLIS = ['/usr/local/bin/docker', '/usr/bin/docker'].filter((f) => fs.existsSync(f));

/** How the docker CLI fails to connect (`version`: the 20.10 CLI's `info --format` hides the reason). */
async function cliOutcome(env: NodeJS.ProcessEnv, docker: string): Promise<string> {
  return run(docker, ['version', '--format', '{{.Server.Version}}'], { env }).then((v) => `connected: ${v.trim()}`, (e: Error) => `failed: ${e.message}`);
}

async function ourOutcome(env: NodeJS.ProcessEnv): Promise<string> {
  return ourEngineId(env).catch((e: Error) => `failed: ${e.message}`);
}

/** A CA-only folder, as a user who got only the CA from the engine's admin has. */
function caOnlyDir(caFile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-caonly-'));
  fs.copyFileSync(caFile, path.join(dir, 'ca.pem'));
  return dir;
}

/**
 * A real TLS endpoint for the rig's engine that does not ask for a client
 * certificate (dockerd's own --tlsverify endpoint always does): Node's TLS
 * server with the rig's server certificate, piping each connection to the
 * engine's unix socket. What a user with only a CA, or with skip-tls-verify, meets.
 */
async function startServerOnlyTls(material: { serverCert: string; serverKey: string }, socketPath: string): Promise<{ host: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: fs.readFileSync(material.serverCert), key: fs.readFileSync(material.serverKey) }, (client) => {
    const engine = net.connect(socketPath);
    sockets.add(client).add(engine);
    client.pipe(engine).pipe(client);
    const end = () => (client.destroy(), engine.destroy());
    client.on('error', end).on('close', end);
    engine.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `tcp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function ourEngineId(env: NodeJS.ProcessEnv): Promise<string> {
  const ep = await resolveEngine({ env, homeDir: os.homedir() });
  const docker = await createDockerClient(ep, { env });
  return String((await docker.info()).ID);
}

describe('engine connection: the same engine the docker CLI reaches', function () {
  this.timeout(60_000);
  let config: string;
  let baseEnv: NodeJS.ProcessEnv;

  beforeEach(() => {
    config = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-dockercfg-'));
    baseEnv = { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
    delete baseEnv.DOCKER_HOST;
    delete baseEnv.DOCKER_CONTEXT;
  });
  afterEach(() => fs.rmSync(config, { recursive: true, force: true }));

  it('follows a context created and selected with the docker CLI (DOCKER_CONTEXT, then docker context use)', async () => {
    const { docker } = currentRig();
    await run('docker', ['context', 'create', 'rig-local', '--docker', `host=${docker.host}`], { env: baseEnv });
    const viaVariable = { ...baseEnv, DOCKER_CONTEXT: 'rig-local' };
    const expected = await cliEngineId(viaVariable);
    assert.strictEqual(await ourEngineId(viaVariable), expected);
    await run('docker', ['context', 'use', 'rig-local'], { env: baseEnv });
    assert.strictEqual(await cliEngineId(baseEnv), expected);
    assert.strictEqual(await ourEngineId(baseEnv), expected);
  });

  it('lets DOCKER_HOST win over the current context, as the CLI does', async () => {
    const { docker } = currentRig();
    await run('docker', ['context', 'create', 'broken', '--docker', 'host=unix:///nonexistent/docker.sock'], { env: baseEnv });
    await run('docker', ['context', 'use', 'broken'], { env: baseEnv });
    const env = { ...baseEnv, DOCKER_HOST: docker.host };
    assert.strictEqual(await ourEngineId(env), await cliEngineId(env));
  });

  it('reaches an engine over ssh:// through the system ssh client and docker system dial-stdio', async () => {
    const { ssh } = currentRig();
    // The wrapper makes `ssh rig-ssh` use the rig's key and known_hosts, for the CLI and for us alike.
    const env = { ...baseEnv, PATH: `${ssh.clientBinDir}${path.delimiter}${process.env.PATH}` };
    await run('docker', ['context', 'create', 'rig-ssh', '--docker', 'host=ssh://rig-ssh'], { env });
    const viaSsh = { ...env, DOCKER_CONTEXT: 'rig-ssh' };
    const expected = await cliEngineId(viaSsh);
    assert.strictEqual(expected, String((await currentRig().docker.client.info()).ID));
    assert.strictEqual(await ourEngineId(viaSsh), expected);
  });

  it('says which host failed and ssh\'s own reason when ssh cannot connect (unknown host key), every time', async function () {
    this.timeout(120_000);
    const { ssh } = currentRig();
    // Same server, but with an empty known_hosts and no prompting: ssh itself refuses the unverified key.
    // The wrapper is what a user's ~/.ssh/config would be; it does not know this host alias.
    const emptyKnownHosts = path.join(config, 'known_hosts');
    fs.writeFileSync(emptyKnownHosts, '');
    const bin = path.join(config, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec '${findBinary('ssh')}' -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${emptyKnownHosts} -o GlobalKnownHostsFile=/dev/null "$@"\n`, { mode: 0o755 });
    const env = { ...baseEnv, DOCKER_HOST: `ssh://${ssh.user}@127.0.0.1:${ssh.port}`, PATH: `${bin}${path.delimiter}${process.env.PATH}`, SSH_AUTH_SOCK: '' };
    const ep = await resolveEngine({ env, homeDir: os.homedir() });
    const expected = new RegExp(`ssh to ssh://${ssh.user}@127\\.0\\.0\\.1:${ssh.port} failed \\(exit 255\\): .*Host key verification failed`, 's');
    // The pipe error used to win the race against ssh's exit now and then: try it many times.
    const messages: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const client = await createDockerClient(ep, { env });
      messages.push(await client.ping().then(() => 'connected', (e: Error) => e.message));
    }
    const wrong = messages.filter((m) => !expected.test(m));
    assert.deepStrictEqual(wrong, [], `${wrong.length} of 20 attempts did not name the host and ssh's reason`);
    // The docker CLI refuses the same host for the same reason.
    await assert.rejects(run('docker', ['info', '--format', '{{.ID}}'], { env }), /Host key verification failed/);
  });
});

describe('engine connection over mutual TLS (tcp://, as docker-machine sets it up)', function () {
  this.timeout(60_000);

  it('follows DOCKER_TLS_VERIFY and DOCKER_CERT_PATH to the same engine as the docker CLI', async () => {
    const { docker, tls } = currentRig();
    const env = { ...process.env, DOCKER_HOST: docker.tlsHost!, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.clientDir, DOCKER_CONTEXT: '' };
    const expected = await cliEngineId(env);
    assert.strictEqual(expected, String((await docker.client.info()).ID));
    assert.strictEqual(await ourEngineId(env), expected);
  });

  it('uses the TLS files the docker CLI stores with a context', async () => {
    const { docker, tls } = currentRig();
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-dockercfg-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: config, DOCKER_CONTEXT: 'rig-tls' };
      delete env.DOCKER_HOST;
      const d = tls.clientDir;
      await run('docker', ['context', 'create', 'rig-tls', '--docker', `host=${docker.tlsHost},ca=${d}/ca.pem,cert=${d}/cert.pem,key=${d}/key.pem`], { env });
      assert.strictEqual(await ourEngineId(env), await cliEngineId(env));
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  });

  it('reads DOCKER_HOST without a scheme as tcp://, reaching the same engine as both docker CLIs', async () => {
    const { docker, tls: material } = currentRig();
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: docker.tlsHost!.replace(/^tcp:\/\//, ''), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: material.clientDir };
    delete env.DOCKER_CONTEXT;
    const expected = String((await docker.client.info()).ID);
    for (const cli of DOCKER_CLIS) assert.strictEqual(await cliEngineId(env, cli), expected, cli);
    assert.strictEqual(await ourEngineId(env), expected);
  });

  it('with only a CA under DOCKER_CERT_PATH, attempts TLS without a client certificate, as both docker CLIs do', async () => {
    const { docker, tls: material } = currentRig();
    const caOnly = caOnlyDir(material.ca);
    const proxy = await startServerOnlyTls(material, docker.socketPath);
    try {
      const expected = String((await docker.client.info()).ID);
      // A server that does not ask for a client certificate: everyone gets through, verifying it against the CA.
      const open: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: proxy.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: caOnly };
      delete open.DOCKER_CONTEXT;
      for (const cli of DOCKER_CLIS) assert.strictEqual(await cliEngineId(open, cli), expected, cli);
      assert.strictEqual(await ourEngineId(open), expected);
      // dockerd's own mutual-TLS endpoint: everyone is refused in the handshake, for want of a
      // client certificate, and no one fails for want of the cert.pem and key.pem files.
      const mutual = { ...open, DOCKER_HOST: docker.tlsHost! };
      for (const cli of DOCKER_CLIS) {
        const outcome = await cliOutcome(mutual, cli);
        assert.match(outcome, /^failed: .*(certificate required|bad certificate)/s, `${cli}: ${outcome}`);
        assert.doesNotMatch(outcome, /cert\.pem|key\.pem/, cli);
      }
      const ours = await ourOutcome(mutual);
      assert.match(ours, new RegExp(`^failed: The engine at ${docker.tlsHost} asks for a client certificate, and there is no cert\\.pem and key\\.pem pair next to .*caonly.*ca\\.pem \\(.*(bad certificate|certificate required)`), ours);
      assert.doesNotMatch(ours, /cannot be read/);
    } finally {
      await proxy.close();
      fs.rmSync(caOnly, { recursive: true, force: true });
    }
  });

  it('speaks TLS for a context with skip-tls-verify and no TLS files, as both docker CLIs do', async () => {
    const { docker, tls: material } = currentRig();
    const proxy = await startServerOnlyTls(material, docker.socketPath);
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-dockercfg-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: config, DOCKER_CONTEXT: 'rig-skip-tls' };
      delete env.DOCKER_HOST;
      delete env.DOCKER_TLS_VERIFY;
      await run('docker', ['context', 'create', 'rig-skip-tls', '--docker', `host=${proxy.host},skip-tls-verify=true`], { env });
      assert.ok(!fs.existsSync(path.join(config, 'contexts', 'tls')), 'the context has no TLS files');
      const expected = String((await docker.client.info()).ID);
      for (const cli of DOCKER_CLIS) assert.strictEqual(await cliEngineId(env, cli), expected, cli);
      assert.strictEqual(await ourEngineId(env), expected);
    } finally {
      await proxy.close();
      fs.rmSync(config, { recursive: true, force: true });
    }
  });

  it('refuses a server whose certificate the CA does not sign, saying so', async () => {
    const { docker, tls } = currentRig();
    const wrong = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-wrongca-'));
    try {
      // The client's own certificate stands in for a CA that did not sign the server.
      fs.copyFileSync(path.join(tls.clientDir, 'cert.pem'), path.join(wrong, 'ca.pem'));
      fs.copyFileSync(path.join(tls.clientDir, 'cert.pem'), path.join(wrong, 'cert.pem'));
      fs.copyFileSync(path.join(tls.clientDir, 'key.pem'), path.join(wrong, 'key.pem'));
      const env = { DOCKER_HOST: docker.tlsHost!, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrong };
      const client = await createDockerClient(await resolveEngine({ env, homeDir: os.homedir() }));
      await assert.rejects(client.ping(), new RegExp(`The engine at ${docker.tlsHost} has a certificate that the CA .*ca\\.pem does not vouch for \\(.*certificate`));
    } finally {
      fs.rmSync(wrong, { recursive: true, force: true });
    }
  });
});
