// `npm start`: the extension, built and installed from its .vsix, in a real
// VS Code (code-server on 127.0.0.1) on a sample fork workspace, with a
// Docker engine reachable. Ctrl-C stops everything it started.
import Docker from 'dockerode';
import * as fs from 'fs';
import * as path from 'path';
import { BASE_IMAGE, cacheDir, ensureBaseImage } from '../test/services/baseImage';
import { DockerEngine, startDockerEngine } from '../test/services/dockerEngine';
import { findBinary, requireTools, TOOLS } from '../test/services/preflight';
import { freePort, portOpen, run } from '../test/services/processes';
import { ensureCodeServer } from '../test/runners/codeServerInstall';
import { CodeServer, startCodeServer } from '../test/runners/codeServerHost';
import { makeSampleWorkspace } from '../test/runners/workspace';

const REPO_ROOT = path.resolve(__dirname, '../..');
const VSIX = path.join(REPO_ROOT, 'dist/docker-fork-workbench.vsix');
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Upstream builds run privileged; many machines (these among them) refuse that, so the sample starts unprivileged. */
const SAMPLE_SETTINGS = { 'dockerFork.build.privileged': false };

/** The user's engine as the docker CLI's defaults find it (DOCKER_HOST or the default socket), if it answers. */
async function usersEngine(): Promise<Docker | undefined> {
  const docker = new Docker();
  const answer = await Promise.race([docker.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
  return answer ? docker : undefined;
}

async function privateEngine(): Promise<DockerEngine> {
  const { dockerd } = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.unshare, TOOLS.ip]);
  if (process.getuid?.() !== 0) throw new Error('No Docker engine answers, and starting a private one needs root. Start Docker (or set DOCKER_HOST), or run npm start as root.');
  // Socket and exec root under a short temp path; images persist in the cache.
  const root = fs.mkdtempSync('/tmp/dfw-start-');
  return startDockerEngine(root, dockerd, path.join(cacheDir(), 'start-engine-data'));
}

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    let docker = await usersEngine();
    let dockerHost = process.env.DOCKER_HOST;
    if (docker) {
      say(`Docker engine: ${dockerHost ?? 'unix:///var/run/docker.sock'} (yours)`);
    } else {
      say('No Docker engine answers; starting a private one...');
      const engine = await privateEngine();
      cleanups.push(async () => {
        await engine.stop();
        fs.rmSync(path.dirname(engine.socketPath), { recursive: true, force: true });
      });
      docker = engine.client;
      dockerHost = engine.host;
      say(`Docker engine: ${dockerHost} (private, data in ${engine.dataRoot})`);
    }
    const debootstrap = findBinary('debootstrap');
    if (debootstrap) await ensureBaseImage(docker, debootstrap, say);
    else say(`Note: debootstrap is missing, so ${BASE_IMAGE} cannot be made; the sample fork's build needs it.`);

    const pkg = await ensureCodeServer(say);
    const home = path.join(cacheDir(), 'start-vscode');
    const workspaceParent = path.join(cacheDir(), 'sample-workspace');
    const workspace = fs.existsSync(path.join(workspaceParent, 'moby-fork', '.git'))
      ? path.join(workspaceParent, 'moby-fork')
      : await makeSampleWorkspace(workspaceParent, 'moby-fork', SAMPLE_SETTINGS);
    const cli = path.join(pkg, 'out/node/entry.js');
    const [extensionsDir, userDataDir] = [path.join(home, 'extensions'), path.join(home, 'user-data')];
    for (const d of [extensionsDir, path.join(userDataDir, 'User')]) fs.mkdirSync(d, { recursive: true });
    await run(process.execPath, [cli, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--force', '--install-extension', VSIX]);
    const wanted = Number(process.env.PORT ?? 8719);
    const port = (await portOpen(wanted)) ? await freePort() : wanted;
    const server: CodeServer = await startCodeServer(pkg, home, { port, env: dockerHost ? { DOCKER_HOST: dockerHost } : {} });
    cleanups.push(() => server.stop());
    say('');
    say('Docker Fork Workbench is running in VS Code:');
    say(`  ${server.url}/?folder=${encodeURIComponent(workspace)}`);
    say(`Sample fork: ${workspace}`);
    say(`Logs: ${server.daemon.logFile}`);
    say('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => server.daemon.exited() && (clearInterval(timer), resolve()), 1000);
    });
    if (!stopping) {
      say(`code-server exited; see ${server.daemon.logFile}`);
      await stop();
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

main().catch((e) => {
  process.stderr.write(`npm start: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
