import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildEvent } from '../../src/core/build/events';
import { LABEL_BUILD } from '../../src/core/build/executor';
import { applyOverrides, BuildRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { makeSampleWorkspace } from '../runners/workspace';
import { run } from '../services/processes';
import { runBuild } from './buildHelpers';
import { currentRig } from './rigHooks';

const build = (recipe: BuildRecipe, env: Record<string, string | undefined>, signal?: AbortSignal, onEvent?: (e: BuildEvent) => void) => runBuild(recipe, env, { signal, onEvent });

async function labelledContainers(): Promise<number> {
  return (await currentRig().docker.client.listContainers({ all: true, filters: { label: [LABEL_BUILD] } })).length;
}

describe('building the fixture fork in a container', function () {
  this.timeout(180_000);
  let work: string;
  let repoRoot: string;
  let binary: BuildRecipe;
  let env: Record<string, string | undefined>;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-build-'));
    repoRoot = await makeSampleWorkspace(work);
    const repo = await detectRepository(repoRoot);
    const targets = await listTargets(repo!);
    // Privileged containers are refused on these machines: build without.
    binary = applyOverrides(targets.find((t) => t.id === 'binary')!, { privileged: false });
    env = { PATH: process.env.PATH, DOCKER_HOST: currentRig().docker.host, DOCKER_CONFIG: path.join(work, 'docker-config') };
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  afterEach(async () => assert.strictEqual(await labelledContainers(), 0, 'a build container was left behind'));

  it('builds the binary target and returns its artifacts with size, sha256 and version', async () => {
    const commit = (await run('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])).trim();
    const { result, events, log } = await build(binary, env);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /^Engine: unix:\/\/.*docker\.sock \(context default, from DOCKER_HOST\)\nImage: docker-dev:moby-fork\n/m);
    assert.match(log, /Command: hack\/make\.sh binary/);
    assert.ok(events.some((e) => e.type === 'progress' && e.progress.label === 'Making bundle: binary'));
    const names = result.artifacts.map((a) => a.relativePath);
    assert.deepStrictEqual(names, ['bundles/binary-daemon/docker-proxy-dev', 'bundles/binary-daemon/dockerd-dev']);
    const dockerd = result.artifacts[1];
    assert.strictEqual(dockerd.version, `Docker version dev, build ${commit}`);
    assert.strictEqual(dockerd.size, fs.statSync(path.join(repoRoot, 'bundles/binary-daemon/dockerd-dev')).size);
    assert.strictEqual(dockerd.sha256, fs.readFileSync(path.join(repoRoot, 'bundles/binary-daemon/dockerd-dev.sha256'), 'utf8').trim());
    assert.deepStrictEqual(events.filter((e) => e.type === 'artifact').length, 2);
    assert.strictEqual(events.at(-1)?.type, 'done');
  });

  it('reuses the builder image when nothing that feeds it changed, and rebuilds when the Dockerfile does', async () => {
    const again = await build(binary, env);
    assert.strictEqual(again.result.exitCode, 0);
    assert.match(again.log, /Reusing builder image docker-dev:moby-fork/);
    fs.appendFileSync(path.join(repoRoot, 'Dockerfile'), '\nENV FORK_CHANGE=1\n');
    const rebuilt = await build(binary, env);
    assert.match(rebuilt.log, /Building builder image docker-dev:moby-fork/);
    assert.strictEqual(rebuilt.result.exitCode, 0);
  });

  it('reports a failing build with its exit code and no artifacts', async () => {
    const failing = { ...binary, command: ['hack/make.sh', 'no-such-bundle'] } as BuildRecipe;
    const { result, log } = await build(failing, env);
    assert.strictEqual(result.exitCode, 1);
    assert.deepStrictEqual(result.artifacts, []);
    assert.match(log, /hack\/make\.sh: unknown bundle 'no-such-bundle'/);
    assert.match(log, /Build failed: hack\/make\.sh no-such-bundle exited with 1/);
  });

  it('cancels mid-build within 10 s, removes the container, and the next build works', async () => {
    const slow = { ...binary, command: ['sh', '-c', 'echo build-started; sleep 120'] } as BuildRecipe;
    const controller = new AbortController();
    let abortedAt = 0;
    const { result } = await build(slow, env, controller.signal, (e) => {
      if (e.type === 'log' && e.text.includes('build-started') && !abortedAt) {
        abortedAt = Date.now();
        controller.abort();
      }
    });
    assert.ok(abortedAt > 0, 'the build started');
    assert.strictEqual(result.cancelled, true);
    assert.ok(Date.now() - abortedAt < 10_000, `cancel took ${Date.now() - abortedAt} ms`);
    assert.strictEqual(await labelledContainers(), 0);
    assert.strictEqual((await build(binary, env)).result.exitCode, 0);
  });

  it('names the image when the chosen builder image does not exist', async () => {
    const { result } = await build(applyOverrides(binary, { image: 'my-own-dev:missing' }), env);
    assert.match(result.error ?? '', /Image 'my-own-dev:missing' does not exist in the engine/);
  });

  it('names the path when the repository has no Dockerfile', async () => {
    const moved = path.join(work, 'Dockerfile.moved');
    fs.renameSync(path.join(repoRoot, 'Dockerfile'), moved);
    try {
      const { result } = await build(binary, env);
      assert.match(result.error ?? '', new RegExp(`No Dockerfile at ${path.join(repoRoot, 'Dockerfile').replace(/[.]/g, '\\.')}`));
    } finally {
      fs.renameSync(moved, path.join(repoRoot, 'Dockerfile'));
    }
  });

  it('says which engine it could not reach when the daemon is not there', async () => {
    const { result } = await build(binary, { ...env, DOCKER_HOST: `unix://${work}/no-daemon.sock` });
    assert.match(result.error ?? '', new RegExp(`Cannot reach the Docker engine at unix://${work}/no-daemon\\.sock`));
  });

  it('on a remote engine (ssh://) copies in the tree a bind mount would show and the artifacts out, and never runs them here', async () => {
    // What a bind mount shows: .git and files .dockerignore lists (bundles, .git) too; only the exact artifact path stays behind.
    fs.rmSync(path.join(repoRoot, 'bundles'), { recursive: true, force: true });
    fs.mkdirSync(path.join(repoRoot, 'bundles/other'), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, 'bundles/other/keep.txt'), 'kept-beside-artifacts\n');
    fs.mkdirSync(path.join(repoRoot, 'bundles/binary-daemon'), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, 'bundles/binary-daemon/stale'), 'old output\n');
    const checks = 'test -d .git && test ! -e bundles/binary-daemon/stale && cat bundles/other/keep.txt && exec hack/make.sh binary';
    const remoteEnv = { ...env, DOCKER_HOST: 'ssh://rig-ssh', PATH: `${currentRig().ssh.clientBinDir}${path.delimiter}${process.env.PATH}` };
    const { result, log } = await build({ ...binary, command: ['sh', '-c', checks] } as BuildRecipe, remoteEnv);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /^kept-beside-artifacts$/m);
    assert.match(log, /remote: source copied in, artifacts copied out/);
    assert.match(log, /Copied bundles\/binary-daemon out of the remote build container/);
    assert.deepStrictEqual(result.artifacts.map((a) => a.relativePath), ['bundles/binary-daemon/docker-proxy-dev', 'bundles/binary-daemon/dockerd-dev']);
    // Built on a remote engine: never run here.
    assert.strictEqual(result.artifacts[1].version, undefined);
    assert.match(log, /Version lines not read: the binaries were built on a remote engine/);
  });

  it('a cancel during the remote artifact copy leaves the old artifacts whole and no container', async () => {
    const dockerd = path.join(repoRoot, 'bundles/binary-daemon/dockerd-dev');
    const before = fs.readFileSync(dockerd);
    const controller = new AbortController();
    const remoteEnv = { ...env, DOCKER_HOST: 'ssh://rig-ssh', PATH: `${currentRig().ssh.clientBinDir}${path.delimiter}${process.env.PATH}` };
    const { result } = await build({ ...binary, env: { ...binary.env, VERSION: 'changed' } } as BuildRecipe, remoteEnv, controller.signal, (e) => {
      if (e.type === 'log' && e.stream === 'system' && e.text.startsWith('Copying bundles/binary-daemon out')) controller.abort();
    });
    assert.strictEqual(result.cancelled, true);
    assert.deepStrictEqual(fs.readFileSync(dockerd), before, 'the old artifact was replaced or damaged');
    assert.deepStrictEqual(fs.readdirSync(path.join(repoRoot, 'bundles')).filter((n) => n.includes('dockerfork')), [], 'a half-copied folder was left');
  });

  it('reads an artifact\'s version inside the builder image, where it can run', async () => {
    // The binary's interpreter exists only in this image, as a dynbinary's libraries exist only in the dev image.
    const maker = await currentRig().docker.client.createContainer({ Image: currentRig().baseImage, Cmd: ['ln', '-s', '/bin/sh', '/usr/local/bin/dfw-inner-sh'] });
    await maker.start();
    await maker.wait();
    await maker.commit({ repo: 'dfw-inner', tag: 'test' });
    await maker.remove();
    const script = 'mkdir -p bundles/binary-daemon && printf "#!/usr/local/bin/dfw-inner-sh\\necho Docker version inner-only\\n" > bundles/binary-daemon/dockerd && chmod +x bundles/binary-daemon/dockerd';
    const recipe = { ...applyOverrides(binary, { image: 'dfw-inner:test' }), command: ['sh', '-c', `rm -rf bundles && ${script}`] } as BuildRecipe;
    const { result, log } = await build(recipe, env);
    assert.strictEqual(result.exitCode, 0, log);
    assert.deepStrictEqual(result.artifacts.map((a) => [a.relativePath, a.version]), [['bundles/binary-daemon/dockerd', 'Docker version inner-only']]);
  });
});
