import * as assert from 'assert';
import { spawnSync } from 'child_process';
import type Docker from 'dockerode';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { ContainerExecutor } from '../../src/core/build/containerExecutor';
import { ExecutionContext, Executor, LABEL_BUILD, LABEL_OWNER, LABEL_REPO } from '../../src/core/build/executor';
import { HostExecutor } from '../../src/core/build/hostExecutor';
import { applyOverrides, ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { makeSampleWorkspace } from '../runners/workspace';
import { runBuild } from './buildHelpers';
import { currentRig } from './rigHooks';

const build = runBuild;

/** Every container in the rig's engine, labelled or not (an image build's intermediate containers are not). */
async function allContainers(): Promise<Docker.ContainerInfo[]> {
  return currentRig().docker.client.listContainers({ all: true });
}

/** A runner whose container executor sees the engine through `wrap`, to act at one exact moment of a real build. */
function runnerWith(wrap: (docker: Docker) => Docker): BuildRunner {
  const real = new ContainerExecutor();
  const container: Executor = { execute: (r, ctx: ExecutionContext) => real.execute(r, { ...ctx, engine: ctx.engine && { ...ctx.engine, docker: wrap(ctx.engine.docker) } }) };
  return new BuildRunner({ container, host: new HostExecutor() });
}

describe('cancelling a container build at any moment, and what a crashed session left', function () {
  this.timeout(180_000);
  let work: string;
  let repoRoot: string;
  let binary: ContainerRecipe;
  let env: Record<string, string | undefined>;
  const docker = () => currentRig().docker.client;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-cancel-'));
    repoRoot = await makeSampleWorkspace(work);
    const repo = await detectRepository(repoRoot);
    binary = applyOverrides((await listTargets(repo!)).find((t) => t.id === 'binary')!, { privileged: false }) as ContainerRecipe;
    env = { PATH: process.env.PATH, DOCKER_HOST: currentRig().docker.host, DOCKER_CONFIG: path.join(work, 'docker-config') };
    assert.strictEqual((await build(binary, env)).result.exitCode, 0, 'the builder image builds');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  afterEach(async () => assert.deepStrictEqual((await allContainers()).map((c) => c.Names), [], 'a container was left behind'));

  it('an already-cancelled request starts nothing: no engine call, no container, no command', async () => {
    const controller = new AbortController();
    controller.abort();
    const marker = path.join(repoRoot, 'ran-marker');
    const { result, log } = await build({ ...binary, command: ['touch', 'ran-marker'] }, env, { signal: controller.signal });
    assert.strictEqual(result.cancelled, true);
    assert.doesNotMatch(log, /^Engine: /m, 'it reached for the engine');
    assert.ok(!fs.existsSync(marker), 'the command ran');
  });

  it('a cancel that lands between create and start never starts the container', async () => {
    const controller = new AbortController();
    // The user's click lands exactly as the engine answers the create: a moment no real timing can aim at.
    const runner = runnerWith((d) => {
      const wrapped = Object.create(d) as Docker;
      wrapped.createContainer = async (opts: Docker.ContainerCreateOptions) => {
        const c = await d.createContainer(opts);
        controller.abort();
        return c;
      };
      return wrapped;
    });
    const { result } = await build({ ...binary, command: ['touch', 'ran-marker'] }, env, { signal: controller.signal, runner });
    assert.strictEqual(result.cancelled, true);
    assert.ok(!fs.existsSync(path.join(repoRoot, 'ran-marker')), 'the container ran its command after the cancel');
  });

  it('cancel reaches the build as Ctrl-C reaches docker run: SIGINT first, and its handler\'s last words arrive', async () => {
    const controller = new AbortController();
    const command = ['sh', '-c', 'trap "echo got-sigint; exit 130" INT; echo build-started; while :; do sleep 0.1; done'];
    let at = 0;
    const { result, log } = await build({ ...binary, command }, env, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'log' && e.stream === 'stdout' && /^build-started$/m.test(e.text) && !at) {
          at = Date.now();
          controller.abort();
        }
      },
    });
    assert.strictEqual(result.cancelled, true);
    assert.ok(at, 'the build started');
    assert.match(log, /^got-sigint$/m);
    assert.ok(Date.now() - at < 5000, `cancel took ${Date.now() - at} ms`);
  });

  it('a process that ignores SIGINT as PID 1 is killed after a short grace, not the engine\'s 10 s', async () => {
    const controller = new AbortController();
    let at = 0;
    const { result } = await build({ ...binary, command: ['sh', '-c', 'trap "" INT TERM; echo build-started; sleep 120'] }, env, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'log' && e.stream === 'stdout' && /^build-started$/m.test(e.text) && !at) {
          at = Date.now();
          controller.abort();
        }
      },
    });
    assert.strictEqual(result.cancelled, true);
    assert.ok(at, 'the build started');
    assert.ok(Date.now() - at < 7000, `cancel took ${Date.now() - at} ms`);
  });

  it('a cancel during the builder image build stops it and leaves no container', async () => {
    const slowDockerfile = path.join(repoRoot, 'Dockerfile');
    const original = fs.readFileSync(slowDockerfile, 'utf8');
    fs.appendFileSync(slowDockerfile, '\nFROM base AS dev-slow\nRUN echo image-step-running && sleep 60\n');
    try {
      const controller = new AbortController();
      let at = 0;
      const slow = binary.image.kind === 'dockerfile' ? { ...binary, image: { ...binary.image, target: 'dev-slow' } } : binary;
      const { result, log } = await build(slow, env, {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'log' && e.stream === 'stdout' && /image-step-running$/m.test(e.text) && !at) {
            at = Date.now();
            controller.abort();
          }
        },
      });
      assert.ok(at, `the image step started:\n${log}`);
      assert.strictEqual(result.cancelled, true);
      assert.ok(Date.now() - at < 10_000, `cancel took ${Date.now() - at} ms`);
      // The engine removes the step's container once it sees the client go.
      for (let i = 0; i < 50 && (await allContainers()).length; i++) await new Promise((r) => setTimeout(r, 200));
    } finally {
      fs.writeFileSync(slowDockerfile, original);
    }
  });

  it('waits for the end of the output: the tail arrives before done, however slowly it is read', async () => {
    // 40 lines of 64 KiB (each its own read from the socket), each taking the listener 100 ms:
    // the output drains for seconds after the container has exited.
    const command = ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do printf "line-$i "; head -c 65536 /dev/zero | tr "\\0" x; echo; i=$((i+1)); done; echo tail-end'];
    const { result, events } = await build({ ...binary, command, artifacts: [] }, env, {
      onEvent: (e) => {
        if (e.type === 'log' && e.stream === 'stdout') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      },
    });
    assert.strictEqual(result.exitCode, 0, result.error);
    const texts = events.map((e) => (e.type === 'log' ? e.text : `<${e.type}>`));
    const tail = texts.findIndex((t) => t.includes('tail-end'));
    assert.ok(tail >= 0, 'the last line was lost');
    assert.ok(tail < texts.indexOf('<done>'), 'the last line came after done');
    assert.strictEqual(texts.join('').match(/^line-\d+ x{65536}$/gm)?.length, 40);
  });

  it('decodes UTF-8 characters split across output frames', async () => {
    // é is C3 A9: the two bytes leave the container in two writes, so in two frames.
    const { result, log } = await build({ ...binary, command: ['sh', '-c', 'printf "caf\\303"; sleep 0.3; printf "\\251 ok\\n"'], artifacts: [] }, env);
    assert.strictEqual(result.exitCode, 0);
    assert.match(log, /café ok/);
    assert.ok(!log.includes('\ufffd'));
  });

  it('removes containers and replaced builder images that a crashed session of this repository left, and nothing live', async () => {
    const image = binary.image.kind === 'dockerfile' ? binary.image.tag : binary.image.name;
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited: a crashed owner
    const make = (owner: string | undefined, name: string) =>
      docker().createContainer({ name, Image: image, Cmd: ['sleep', '300'], Labels: { [LABEL_BUILD]: `old-${name}`, [LABEL_REPO]: repoRoot, ...(owner ? { [LABEL_OWNER]: owner } : {}) } });
    const crashed = await make(`${os.hostname()}:${gone}`, 'dfw-crashed');
    await crashed.start();
    const unowned = await make(undefined, 'dfw-unowned'); // from before owner labels: created, never started
    const live = await make(`${os.hostname()}:${process.ppid}`, 'dfw-live-elsewhere');
    await live.start();
    const otherRepo = await docker().createContainer({ name: 'dfw-other-repo', Image: image, Cmd: ['true'], Labels: { [LABEL_BUILD]: 'x', [LABEL_REPO]: '/elsewhere' } });
    // A builder image that a rebuild replaced: dangling, labelled with this repository.
    const stale = await docker().createContainer({ Image: image, Cmd: ['true'] });
    const staleImage = (await stale.commit({ changes: `LABEL ${LABEL_REPO}=${repoRoot}` } as never)) as unknown as { Id: string };
    await stale.remove();
    try {
      const { result, log } = await build(binary, env);
      assert.strictEqual(result.exitCode, 0, log);
      const names = (await allContainers()).flatMap((c) => c.Names).sort();
      assert.deepStrictEqual(names, ['/dfw-live-elsewhere', '/dfw-other-repo']);
      assert.match(log, /Removed what an earlier session of this repository left in the engine: .*container .*container .*image/);
      await assert.rejects(docker().getImage(staleImage.Id).inspect(), 'the replaced builder image is still there');
      await docker().getImage(image).inspect(); // the one in use stays
    } finally {
      await Promise.all([crashed, unowned, live, otherRepo].map((c) => c.remove({ force: true }).catch(() => undefined)));
    }
  });

  it('refuses artifact paths outside the repository, naming the value', async () => {
    const { result } = await build({ ...binary, artifacts: ['../outside'] }, env);
    assert.match(result.error ?? '', /Artifact path '\.\.\/outside' of target 'binary' is outside the repository/);
  });
});
