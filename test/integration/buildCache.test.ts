import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { CacheInUseError, clearCacheVolumes, listCacheVolumes } from '../../src/core/build/cacheVolumes';
import { BuildEvent } from '../../src/core/build/events';
import { applyOverrides, BuildRecipe, ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { makeSampleWorkspace } from '../runners/workspace';
import { currentRig } from './rigHooks';

describe('build caches: named volumes kept between builds, per repository and builder image', function () {
  this.timeout(180_000);
  let work: string;
  let repoRoot: string;
  let binary: ContainerRecipe;
  let env: Record<string, string | undefined>;
  const docker = () => currentRig().docker.client;

  async function build(recipe: BuildRecipe, signal?: AbortSignal, onEvent?: (e: BuildEvent) => void) {
    let log = '';
    const result = await new BuildRunner().run(recipe, {
      listener: (e) => {
        if (e.type === 'log') log += e.text;
        onEvent?.(e);
      },
      signal,
      engineEnv: { env, homeDir: os.homedir() },
    });
    return { result, log };
  }

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-cache-'));
    repoRoot = await makeSampleWorkspace(work);
    const repo = await detectRepository(repoRoot);
    binary = applyOverrides((await listTargets(repo!)).find((t) => t.id === 'binary')!, { privileged: false }) as ContainerRecipe;
    env = { PATH: process.env.PATH, DOCKER_HOST: currentRig().docker.host, DOCKER_CONFIG: path.join(work, 'docker-config') };
  });
  after(async () => {
    await clearCacheVolumes(docker(), repoRoot).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('moby targets mount the Go build and module caches, as upstream\'s Makefile does', () => {
    assert.deepStrictEqual(binary.caches?.map((c) => c.path), ['/root/.cache', '/go/pkg/mod']);
  });

  it('the first build is cold, the next one finds what it left and says warm; clearing makes it cold again', async () => {
    // Leaves a file in the Go build cache and reports whether the previous build had left it.
    const probe = { ...binary, command: ['sh', '-c', 'test -e /root/.cache/go-build-marker && echo cache-had-marker; touch /root/.cache/go-build-marker /go/pkg/mod/mod-marker'], artifacts: [] };
    const cold = await build(probe);
    assert.strictEqual(cold.result.exitCode, 0, cold.log);
    assert.match(cold.log, /^Cache \/root\/\.cache: cold \(new volume; volume dockerfork-go-build-[0-9a-f]{12}\)$/m);
    assert.match(cold.log, /^Cache \/go\/pkg\/mod: cold \(new volume/m);
    assert.doesNotMatch(cold.log, /^cache-had-marker$/m);

    const warm = await build(probe);
    assert.match(warm.log, /^Cache \/root\/\.cache: warm \(reused, 1 entry; volume dockerfork-go-build-/m);
    assert.match(warm.log, /^cache-had-marker$/m);

    const volumes = await listCacheVolumes(docker(), repoRoot);
    assert.deepStrictEqual(volumes.map((v) => [v.id, v.repoRoot, v.image]), [['go-build', repoRoot, 'docker-dev:moby-fork'], ['go-mod', repoRoot, 'docker-dev:moby-fork']]);
    const removed = await clearCacheVolumes(docker(), repoRoot);
    assert.strictEqual(removed.length, 2);
    assert.deepStrictEqual(await listCacheVolumes(docker(), repoRoot), []);

    const again = await build(probe);
    assert.match(again.log, /^Cache \/root\/\.cache: cold \(new volume/m);
    assert.doesNotMatch(again.log, /^cache-had-marker$/m);
  });

  it('another builder image gets its own caches', async () => {
    const other = { ...binary, image: { kind: 'image' as const, name: currentRig().baseImage }, command: ['true'], artifacts: [] };
    const { log } = await build(other);
    assert.match(log, /^Cache \/root\/\.cache: cold \(new volume/m);
    const images = new Set((await listCacheVolumes(docker(), repoRoot)).map((v) => v.image));
    assert.ok(images.has(currentRig().baseImage));
  });

  it('refuses to clear the caches while a build of the repository runs', async () => {
    const controller = new AbortController();
    let refusal: unknown;
    const running = build({ ...binary, command: ['sh', '-c', 'echo build-started; sleep 120'], artifacts: [] }, controller.signal, (e) => {
      if (e.type === 'log' && e.stream === 'stdout' && /^build-started$/m.test(e.text)) {
        clearCacheVolumes(docker(), repoRoot).then(
          () => controller.abort(),
          (err) => {
            refusal = err;
            controller.abort();
          },
        );
      }
    });
    await running;
    assert.ok(refusal instanceof CacheInUseError, `clearing was not refused: ${refusal}`);
    assert.match((refusal as Error).message, new RegExp(`A build of ${repoRoot.replace(/[.]/g, '\\.')} is running`));
    assert.ok((await listCacheVolumes(docker(), repoRoot)).length > 0, 'the caches were removed under the build');
  });
});
