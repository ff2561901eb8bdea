import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDockerClient } from '../../src/core/engine/client';
import { resolveEngine } from '../../src/core/engine/endpoint';
import { run } from '../services/processes';
import { currentRig } from './rigHooks';

/** Where the docker CLI says it is connected: the engine's own ID. */
async function cliEngineId(env: NodeJS.ProcessEnv): Promise<string> {
  return (await run('docker', ['info', '--format', '{{.ID}}'], { env })).trim();
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

  it('says which host failed when ssh cannot connect (unknown host key)', async () => {
    const { ssh } = currentRig();
    // Same server, but without the wrapper's known_hosts: ssh itself refuses the unverified key.
    const env = { ...baseEnv, DOCKER_HOST: `ssh://${ssh.user}@127.0.0.1:${ssh.port}` };
    const ep = await resolveEngine({ env, homeDir: os.homedir() });
    const client = await createDockerClient(ep, { env: { ...env, SSH_AUTH_SOCK: '' } });
    await assert.rejects(client.ping(), new RegExp(`ssh to ssh://${ssh.user}@127\\.0\\.0\\.1:${ssh.port} failed`));
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
      await assert.rejects(client.ping(), /certificate/i);
    } finally {
      fs.rmSync(wrong, { recursive: true, force: true });
    }
  });
});
