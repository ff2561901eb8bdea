// `npm start`: the extension, built and installed from its .vsix, in a real
// VS Code (code-server on 127.0.0.1) on a sample fork workspace, with a
// Docker engine reachable. Ctrl-C, or SIGINT or SIGTERM to this process,
// stops everything it started and says what it stops.
import Docker from 'dockerode';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASE_IMAGE, cacheDir, ensureBaseImage } from '../test/services/baseImage';
import { DockerEngine, startDockerEngine } from '../test/services/dockerEngine';
import { findBinary, requireTools, TOOLS } from '../test/services/preflight';
import { endRunningCommands, freePort, portOpen, run } from '../test/services/processes';
import { removeRigDir } from '../test/services/tempRoot';
import { ensureCodeServer } from '../test/runners/codeServerInstall';
import { CodeServer, codeServerEnv, startCodeServer } from '../test/runners/codeServerHost';
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

async function privateEngine(): Promise<{ engine: DockerEngine; root: string }> {
  const { dockerd } = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.unshare, TOOLS.mount, TOOLS.ip]);
  if (process.getuid?.() !== 0) throw new Error('No Docker engine answers, and starting a private one needs root. Start Docker (or set DOCKER_HOST), or run npm start as root.');
  // Socket and exec root under a short temp path; images persist in the cache.
  const root = fs.mkdtempSync('/tmp/dfw-start-');
  try {
    return { engine: await startDockerEngine(root, dockerd, path.join(cacheDir(), 'start-engine-data')), root };
  } catch (e) {
    removeRigDir(root);
    throw e;
  }
}

/** Something npm start has running, and how to stop it. */
interface Running {
  readonly what: string;
  stop(): Promise<void>;
}

/** Thrown at the next step once a signal asked npm start to stop. */
class StopRequested extends Error {}

async function main(): Promise<number> {
  const running: Running[] = [];
  let signalled: NodeJS.Signals | undefined;
  let wake = () => {};
  // SIGINT and SIGTERM to this process alone (kill PID), not only a
  // terminal's Ctrl-C to the whole group: its daemons run in their own
  // process groups and would otherwise outlive it.
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return say(`${signal}: already stopping.`);
    signalled = signal;
    say(`\n${signal}: stopping ${running.length ? running.map((r) => r.what).join(', ') : 'the start-up'}...`);
    for (const c of endRunningCommands()) say(`Ended ${c}.`);
    wake();
  };
  // SIGHUP too: a closed terminal must not leave the engine running.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const checkpoint = () => {
    if (signalled) throw new StopRequested();
  };
  try {
    let docker = await usersEngine();
    checkpoint();
    let dockerHost = process.env.DOCKER_HOST;
    if (docker) {
      say(`Docker engine: ${dockerHost ?? 'unix:///var/run/docker.sock'} (yours)`);
    } else {
      say('No Docker engine answers; starting a private one (in its own network namespace)...');
      const { engine, root } = await privateEngine();
      running.push({
        what: `the private Docker engine (dockerd pid ${engine.daemon.pid}, ${engine.host})`,
        stop: async () => {
          await engine.stop();
          removeRigDir(root);
        },
      });
      checkpoint();
      docker = engine.client;
      dockerHost = engine.host;
      say(`Docker engine: ${dockerHost} (private, data in ${engine.dataRoot})`);
    }
    const debootstrap = findBinary('debootstrap');
    if (debootstrap) await ensureBaseImage(docker, debootstrap, say);
    else say(`Note: debootstrap is missing, so ${BASE_IMAGE} cannot be made; the sample fork's build needs it.`);
    checkpoint();

    const pkg = await ensureCodeServer(say);
    checkpoint();
    const home = path.join(cacheDir(), 'start-vscode');
    const workspaceParent = path.join(cacheDir(), 'sample-workspace');
    const workspace = fs.existsSync(path.join(workspaceParent, 'moby-fork', '.git'))
      ? path.join(workspaceParent, 'moby-fork')
      : await makeSampleWorkspace(workspaceParent, 'moby-fork', SAMPLE_SETTINGS);
    checkpoint();
    const cli = path.join(pkg, 'out/node/entry.js');
    const [extensionsDir, userDataDir] = [path.join(home, 'extensions'), path.join(home, 'user-data')];
    for (const d of [extensionsDir, path.join(userDataDir, 'User')]) fs.mkdirSync(d, { recursive: true });
    await run(process.execPath, [cli, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--force', '--install-extension', VSIX], { env: { ...process.env, ...codeServerEnv(home) } });
    checkpoint();
    const wanted = Number(process.env.PORT ?? 8719);
    const port = (await portOpen(wanted)) ? await freePort() : wanted;
    const server: CodeServer = await startCodeServer(pkg, home, { port, env: dockerHost ? { DOCKER_HOST: dockerHost } : {} });
    running.push({ what: `code-server (pid ${server.daemon.pid}, ${server.url})`, stop: () => server.stop() });
    checkpoint();
    say('');
    say('Docker Fork Workbench is running in VS Code:');
    say(`  ${server.url}/?folder=${encodeURIComponent(workspace)}`);
    say(`Sample fork: ${workspace}`);
    say(`Logs: ${server.daemon.logFile}`);
    say(`Press Ctrl-C (or kill -TERM ${process.pid}) to stop.`);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => server.daemon.exited() && done(), 500);
      const done = () => (clearInterval(timer), resolve());
      wake = done;
    });
    if (!signalled) {
      say(`code-server exited; see ${server.daemon.logFile}`);
      return 1;
    }
  } catch (e) {
    // A step a signal cut short fails for that reason alone.
    if (!signalled) {
      process.stderr.write(`npm start: ${e instanceof Error ? e.message : e}\n`);
      return 1;
    }
  } finally {
    for (const r of running.splice(0).reverse()) {
      say(`Stopping ${r.what}...`);
      await r.stop().catch((e) => say(`Could not stop ${r.what}: ${e instanceof Error ? e.message : e}`));
    }
    if (signalled) say('Stopped; nothing of npm start is left running.');
  }
  return 128 + os.constants.signals[signalled!];
}

main().then((code) => process.exit(code));
