import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildEvent } from '../../src/core/build/events';
import { LABEL_BUILD } from '../../src/core/build/executor';
import { applyOverrides, BuildRecipe, ContainerRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { makeSampleWorkspace } from '../runners/workspace';
import { runBuild } from './buildHelpers';
import { currentRig } from './rigHooks';

const build = (recipe: BuildRecipe, env: Record<string, string | undefined>, signal?: AbortSignal, onEvent?: (e: BuildEvent) => void) => runBuild(recipe, env, { signal, onEvent });

/** A recipe for the same repository whose builder image comes from another stage or Dockerfile. */
function withImage(recipe: ContainerRecipe, image: Partial<Extract<ContainerRecipe['image'], { kind: 'dockerfile' }>>): ContainerRecipe {
  if (recipe.image.kind !== 'dockerfile') throw new Error('expected a Dockerfile recipe');
  return { ...recipe, image: { ...recipe.image, ...image } };
}

// The fixture's Dockerfile is shaped like moby's since 20.10: `# syntax=`,
// ARGs before FROM, stages chosen by ARG, RUN --mount cache/tmpfs/bind,
// COPY --from, a `dev` stage and a `broken` one.
describe('builder images with BuildKit, as moby ≥ 20.10 needs', function () {
  this.timeout(180_000);
  let work: string;
  let repoRoot: string;
  let binary: ContainerRecipe;
  let env: Record<string, string | undefined>;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-buildkit-'));
    repoRoot = await makeSampleWorkspace(work);
    const targets = await listTargets((await detectRepository(repoRoot))!);
    binary = applyOverrides(targets.find((t) => t.id === 'binary')!, { privileged: false }) as ContainerRecipe;
    env = { PATH: process.env.PATH, DOCKER_HOST: currentRig().docker.host, DOCKER_CONFIG: path.join(work, 'docker-config') };
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));
  afterEach(async () => {
    const left = await currentRig().docker.client.listContainers({ all: true, filters: { label: [LABEL_BUILD] } });
    assert.strictEqual(left.length, 0, 'a build container was left behind');
  });

  it('builds the default recipe\'s dev stage through BuildKit, falling back to the built-in frontend when # syntax= cannot be pulled', async () => {
    assert.strictEqual(binary.image.kind === 'dockerfile' && binary.image.target, 'dev', 'the default recipe builds the dev stage');
    // CACHE_BUST only makes the tools stage run here even when another test built it already.
    const { result, events, log } = await build(withImage(binary, { tag: 'docker-dev:bk-default', buildArgs: { CACHE_BUST: `default-${Date.now()}` } }), env);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /Building builder image docker-dev:bk-default from Dockerfile, stage dev with BuildKit/);
    assert.match(log, /frontend docker\/dockerfile:1 named by "# syntax=" on line 1 could not be pulled .*built-in Dockerfile frontend instead/);
    // Readable plain progress, as `docker build --progress=plain` prints it.
    assert.match(log, /^#\d+ \[tools 1\/1\] RUN --mount=type=cache,sharing=locked,id=dfw-fork-aptlib/m);
    assert.match(log, /^#\d+ [\d.]+ tools stage: cache \d+ entries$/m);
    // The bind-mount step ran, or was cached from an earlier build of the same inputs.
    assert.match(log, /^#(\d+) \[dev \d\/\d\] RUN --mount=type=bind,source=hack,target=\/tmp\/hack .*\n(#\1 [\d.]+ dev stage: hack\/make\.sh is there\n#\1 DONE|#\1 CACHED)/m);
    assert.match(log, /^#\d+ DONE [\d.]+s$/m);
    // Stages the dev target does not need are not built.
    assert.doesNotMatch(log, /cross builds are not part of this fixture|about to fail/);
    // The same lines feed the status bar's progress.
    assert.ok(events.some((e) => e.type === 'progress' && /^\[\d+\/\d+\] /.test(e.progress.label)), 'BuildKit steps reached progress');
    assert.deepStrictEqual(result.artifacts.map((a) => a.relativePath), ['bundles/binary-daemon/docker-proxy-dev', 'bundles/binary-daemon/dockerd-dev']);
    // The image carries what the dev stage added from another stage.
    const info = await currentRig().docker.client.getImage('docker-dev:bk-default').inspect();
    assert.strictEqual(info.Config.WorkingDir, '/go/src/github.com/docker/docker');
  });

  it('keeps RUN --mount=type=cache contents from one image build to the next', async () => {
    // CACHE_BUST makes the tools stage run again; its cache mount must still hold what the last run left.
    const count = (log: string) => Number(/tools stage: cache (\d+) entries/.exec(log)?.[1]);
    const first = await build(withImage(binary, { tag: 'docker-dev:bk-cache', buildArgs: { CACHE_BUST: `a${Date.now()}` } }), env);
    assert.strictEqual(first.result.exitCode, 0, first.log);
    const second = await build(withImage(binary, { tag: 'docker-dev:bk-cache', buildArgs: { CACHE_BUST: `b${Date.now()}` } }), env);
    assert.strictEqual(second.result.exitCode, 0, second.log);
    assert.ok(Number.isInteger(count(first.log)), first.log);
    assert.strictEqual(count(second.log), count(first.log) + 1);
  });

  it('reports a failing stage with its step, its output and the exit code, and builds nothing after it', async () => {
    const { result, log } = await build(withImage(binary, { tag: 'docker-dev:bk-broken', target: 'broken' }), env);
    assert.strictEqual(result.exitCode, undefined);
    assert.deepStrictEqual(result.artifacts, []);
    assert.match(log, /^#\d+ [\d.]+ about to fail$/m);
    assert.match(log, /^#\d+ ERROR: .*exit code: 3$/m);
    assert.match(result.error ?? '', /Building builder image docker-dev:bk-broken from .*Dockerfile failed: step \[broken \d\/\d\] RUN echo "about to fail" && exit 3: .*exit code: 3/);
    assert.doesNotMatch(log, /Making bundle/, 'the build command never ran');
  });

  it('refuses the legacy builder for a Dockerfile with RUN --mount, naming the line', async () => {
    const { result } = await build(withImage(binary, { tag: 'docker-dev:bk-legacy', builder: 'legacy' }), env);
    assert.match(result.error ?? '', /Dockerfile uses RUN --mount \(line 18\).*only BuildKit builds, but dockerFork\.build\.builder is "legacy"/);
  });

  it('builds a Dockerfile without BuildKit features with the legacy builder when asked', async () => {
    fs.writeFileSync(path.join(repoRoot, 'Dockerfile.legacy'), 'FROM dfw-base:bookworm\nRUN echo legacy-step\nWORKDIR /go/src/github.com/docker/docker\n');
    const { result, log } = await build(withImage(binary, { tag: 'docker-dev:bk-legacy-ok', dockerfile: 'Dockerfile.legacy', target: undefined, builder: 'legacy' }), env);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /with the legacy builder/);
    assert.match(log, /^Step 2\/\d+ : RUN echo legacy-step$/m);
  });

  it('builds with BuildKit through the same engine connection as the rest: a mutual-TLS tcp:// endpoint', async () => {
    const rig = currentRig();
    const tlsEnv = { ...env, DOCKER_HOST: rig.docker.tlsHost!, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: rig.tls.clientDir };
    const { result, log } = await build(withImage(binary, { tag: 'docker-dev:bk-tls', buildArgs: { CACHE_BUST: `tls-${Date.now()}` } }), tlsEnv);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /^Engine: tcp:\/\/127\.0\.0\.1:\d+ \(context default, from DOCKER_HOST, TLS verified\)$/m);
    assert.match(log, /with BuildKit/);
    assert.match(log, /^#\d+ [\d.]+ tools stage: cache \d+ entries$/m);
  });

  it('cancels during the image build: no image, no container, and the next build works', async () => {
    fs.writeFileSync(path.join(repoRoot, 'Dockerfile.slow'), 'FROM dfw-base:bookworm AS dev\nRUN --mount=type=tmpfs,target=/scratch echo slow-step-started && sleep 120\n');
    const controller = new AbortController();
    let abortedAt = 0;
    const { result } = await build(withImage(binary, { tag: 'docker-dev:bk-slow', dockerfile: 'Dockerfile.slow' }), env, controller.signal, (e) => {
      if (e.type === 'log' && e.text.includes('slow-step-started') && !abortedAt) {
        abortedAt = Date.now();
        controller.abort();
      }
    });
    assert.ok(abortedAt > 0, 'the slow step started');
    assert.strictEqual(result.cancelled, true);
    assert.ok(Date.now() - abortedAt < 10_000, `cancel took ${Date.now() - abortedAt} ms`);
    const tagged = await currentRig().docker.client.getImage('docker-dev:bk-slow').inspect().then(() => true, () => false);
    assert.strictEqual(tagged, false, 'a cancelled build tagged an image');
    assert.strictEqual((await build(binary, env)).result.exitCode, 0);
  });
});
