// Figure (issue 6 §2): rebuilding the Go fixture fork (a real Go program of
// ~300 packages in moby's GOPATH layout) after a one-line change in
// daemon/daemon.go, cold and warm, side by side in one run:
//   - plain `docker run` of `hack/make.sh binary` with upstream's two cache
//     volumes (/root/.cache, /go/pkg/mod), as moby's Makefile mounts them;
//   - our BuildRunner on the same tree and image (`--image dfw-go:bookworm
//     --no-privileged`), with whatever caches the recipe provides.
// Also where the fixed seconds of a BuildRunner build go, phase by phase.
import { execFile, spawn } from 'child_process';
import type Docker from 'dockerode';
import * as os from 'os';
import * as path from 'path';
import { collectArtifacts, versionLine } from '../src/core/build/artifacts';
import { BuildRunner } from '../src/core/build/buildRunner';
import { ContainerExecutor } from '../src/core/build/containerExecutor';
import { BuildEvent } from '../src/core/build/events';
import { ExecutionContext, Executor } from '../src/core/build/executor';
import { HostExecutor } from '../src/core/build/hostExecutor';
import { applyOverrides, BuildRecipe } from '../src/core/build/recipe';
import { detectRepository } from '../src/core/repo/detect';
import { listTargets, MOBY_SOURCE_PATH } from '../src/core/repo/targets';
import { commitGoFork, touchDaemon, writeGoFork } from '../test/fixtures/goFork';
import { startDockerEngine } from '../test/services/dockerEngine';
import { ensureGoImage, ensureGoImageTarball, GO_IMAGE } from '../test/services/goImage';
import { requireTools, TOOLS } from '../test/services/preflight';
import { makeRigDir, removeRigDir } from '../test/services/tempRoot';
import { median, printTable } from './table';

const log = (line: string) => process.stderr.write(`[rebuild] ${line}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Upstream's Makefile cache volumes, as the other recipe field spells them (see `withCaches`). */
const CACHES = [
  { id: 'go-build', path: '/root/.cache' },
  { id: 'go-mod', path: '/go/pkg/mod' },
];

/** One `docker run` of hack/make.sh binary: total, to first output, and last output to exit. */
function dockerRun(host: string, src: string, volumes: { cache: string; mod: string }): Promise<{ totalMs: number; firstMs: number; tailMs: number; buildMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let first: number | undefined;
    let last = t0;
    const args = ['run', '--rm', '-v', `${volumes.cache}:/root/.cache`, '-v', `${volumes.mod}:/go/pkg/mod`, '-v', `${src}:${MOBY_SOURCE_PATH}`, GO_IMAGE, 'hack/make.sh', 'binary'];
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = (d: Buffer) => {
      const text = d.toString('utf8');
      // The engine's IPv4 forwarding warning is the CLI's, not the build's output.
      if (first === undefined && !/^WARNING: IPv4 forwarding/.test(text)) first = now();
      last = now();
      out = (out + text).slice(-4000);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => {
      const end = now();
      if (code !== 0) reject(new Error(`docker run hack/make.sh binary exited ${code}:\n${out}`));
      else resolve({ totalMs: end - t0, firstMs: (first ?? end) - t0, tailMs: end - last, buildMs: last - (first ?? end) });
    });
  });
}

type Marks = Map<string, number>;

/** Wraps a dockerode object so each listed method call records when it started and ended; the calls themselves are real. */
function timed<T extends object>(target: T, prefix: string, methods: Record<string, ((result: unknown) => unknown) | null>, marks: Marks): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof prop !== 'string' || !(prop in methods) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = `${prefix}${prop}`;
        if (!marks.has(`${name}:start`)) marks.set(`${name}:start`, now());
        const result = (value as (...a: unknown[]) => unknown).apply(t, args);
        const wrap = methods[prop];
        if (result instanceof Promise) {
          return result.then((r) => {
            marks.set(`${name}:end`, now());
            return wrap ? wrap(r) : r;
          });
        }
        marks.set(`${name}:end`, now());
        return wrap ? wrap(result) : result;
      };
    },
  });
}

/** The real ContainerExecutor, with the engine calls it makes timed, to split a build's fixed cost into phases. */
class PhaseTimingExecutor implements Executor {
  marks: Marks = new Map();
  private readonly inner = new ContainerExecutor();

  async execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number> {
    const marks = this.marks;
    marks.set('executor:start', now());
    const docker = timed(ctx.engine!.docker, 'docker.', {
      getImage: (image) => timed(image as object, 'image.', { inspect: null }, marks),
      createContainer: (c) => timed(c as object, 'container.', { attach: null, start: null, wait: null, remove: null }, marks),
    }, marks) as Docker;
    try {
      return await this.inner.execute(recipe, { ...ctx, engine: { ...ctx.engine!, docker } });
    } finally {
      marks.set('executor:end', now());
    }
  }
}

interface OursRun {
  totalMs: number;
  phases: Record<string, number>;
}

async function ours(recipe: BuildRecipe, host: string): Promise<OursRun> {
  const timing = new PhaseTimingExecutor();
  const runner = new BuildRunner({ container: timing, host: new HostExecutor() });
  const m = timing.marks;
  const t0 = now();
  let first: number | undefined;
  let last = t0;
  let done = t0;
  let firstArtifact: number | undefined;
  let tail = '';
  const result = await runner.run(recipe, {
    engineEnv: { env: { PATH: process.env.PATH, DOCKER_HOST: host }, homeDir: os.homedir() },
    listener: (e: BuildEvent) => {
      if (e.type === 'log' && e.stream !== 'system') {
        first ??= now();
        last = now();
      }
      if (e.type === 'log') tail = (tail + e.text).slice(-4000);
      if (e.type === 'artifact') firstArtifact ??= now();
      if (e.type === 'done') done = now();
    },
  });
  if (result.exitCode !== 0) throw new Error(`BuildRunner build failed (${result.error ?? result.exitCode}):\n${tail}`);
  const at = (k: string) => m.get(k) ?? NaN;
  // Contiguous, so the phases add up to the total.
  const phases: Record<string, number> = {
    'git rev-parse, engine resolve + ping, first lines': at('executor:start') - t0,
    'image check, leftovers sweep, cache volumes': at('docker.createContainer:start') - at('executor:start'),
    'container create': at('docker.createContainer:end') - at('docker.createContainer:start'),
    'attach': at('container.start:start') - at('docker.createContainer:end'),
    'container start (API call)': at('container.start:end') - at('container.start:start'),
    'start → first output line': (first ?? NaN) - at('container.start:end'),
    'the build itself (first → last output line)': last - (first ?? NaN),
    'last output → wait returns (exit seen)': at('container.wait:end') - last,
    'wait → remove (waiting for the output tail)': at('container.remove:start') - at('container.wait:end'),
    'container remove': at('container.remove:end') - at('container.remove:start'),
    'remove → runner (executor returns)': at('executor:end') - at('container.remove:end'),
    'artifacts: hashing + --version probes': (firstArtifact ?? done) - at('executor:end'),
    'after artifacts → done': done - (firstArtifact ?? done),
  };
  return { totalMs: done - t0, phases };
}

/** The recipe with upstream's cache volumes, if recipes have that field (another slice adds it): a plain spread, no type change. */
function withCaches(recipe: BuildRecipe): { recipe: BuildRecipe; declared: boolean } {
  const declared = 'caches' in recipe;
  return { recipe: { ...recipe, caches: (recipe as { caches?: unknown }).caches ?? CACHES } as unknown as BuildRecipe, declared };
}

async function removeAllVolumes(docker: Docker): Promise<void> {
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove();
}

function gitRevParseMs(repo: string): Promise<number> {
  const t0 = now();
  return new Promise((resolve) => execFile('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], () => resolve(now() - t0)));
}

const s = (ms: number) => (ms / 1000).toFixed(1);
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(0));

export async function rebuildBench(runs = Number(process.env.BENCH_RUNS ?? 2), warmRuns = Number(process.env.BENCH_WARM_RUNS ?? 5)): Promise<void> {
  const tools = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.debootstrap, TOOLS.tar]);
  const root = makeRigDir('bench-rebuild');
  const [engine] = await Promise.all([startDockerEngine(path.join(root, 'engine'), tools.dockerd), ensureGoImageTarball(tools.debootstrap, log)]);
  try {
    await ensureGoImage(engine.client, tools.debootstrap, log);
    const docker = engine.client;
    const fork = writeGoFork(path.join(root, 'moby-go'));
    await commitGoFork(fork.root);
    const target = (await listTargets((await detectRepository(fork.root))!)).find((t) => t.id === 'binary')!;
    const { recipe, declared } = withCaches(applyOverrides(target, { image: GO_IMAGE, privileged: false }));
    log(`${fork.packages.length} Go packages, ${fork.goFiles.length} files; recipe caches ${declared ? 'declared by the recipe' : 'set by this bench'}`);
    // The first container from a freshly imported image pays for its layer setup: not part of any figure.
    await new Promise((r) => execFile('docker', ['run', '--rm', GO_IMAGE, 'go', 'version'], { env: { ...process.env, DOCKER_HOST: engine.host } }, r));

    const run = { cold: [] as number[], warm: [] as number[] };
    const ourCold: OursRun[] = [];
    const ourWarm: OursRun[] = [];
    let cachesMounted = false;
    for (let i = 0; i < runs; i++) {
      await removeAllVolumes(docker);
      const vols = { cache: `bench-go-build-${i}`, mod: `bench-go-mod-${i}` };
      log(`run ${i + 1}/${runs}: docker run, cold`);
      run.cold.push((await dockerRun(engine.host, fork.root, vols)).totalMs);
      log(`  ${s(run.cold.at(-1)!)} s`);
      touchDaemon(fork.root);
      log(`run ${i + 1}/${runs}: docker run, warm after a one-line change`);
      run.warm.push((await dockerRun(engine.host, fork.root, vols)).totalMs);
      log(`  ${s(run.warm.at(-1)!)} s`);

      await removeAllVolumes(docker);
      log(`run ${i + 1}/${runs}: BuildRunner, cold`);
      ourCold.push(await ours(recipe, engine.host));
      log(`  ${s(ourCold.at(-1)!.totalMs)} s`);
      cachesMounted = ((await docker.listVolumes()).Volumes ?? []).length > 0;
      touchDaemon(fork.root);
      log(`run ${i + 1}/${runs}: BuildRunner, warm after a one-line change (${cachesMounted ? 'cache volumes present' : 'no cache volume: cold again'})`);
      ourWarm.push(await ours(recipe, engine.host));
      log(`  ${s(ourWarm.at(-1)!.totalMs)} s`);
    }

    // The fixed cost matters at the scale of a warm rebuild: a series of
    // one-line-change rebuilds, alternating, both with warm caches.
    const vols = { cache: 'bench-go-build-series', mod: 'bench-go-mod-series' };
    const seriesRun: Array<{ totalMs: number; firstMs: number; tailMs: number; buildMs: number }> = [];
    const seriesOurs: OursRun[] = [];
    if (cachesMounted && warmRuns > 0) {
      await dockerRun(engine.host, fork.root, vols);
      log(`${warmRuns} warm rebuilds each, alternating`);
      for (let i = 0; i < warmRuns; i++) {
        touchDaemon(fork.root);
        seriesRun.push(await dockerRun(engine.host, fork.root, vols));
        touchDaemon(fork.root);
        seriesOurs.push(await ours(recipe, engine.host));
        log(`  warm ${i + 1}/${warmRuns}: docker run ${s(seriesRun.at(-1)!.totalMs)} s, BuildRunner ${s(seriesOurs.at(-1)!.totalMs)} s`);
      }
    }

    const rc = median(run.cold);
    const rw = median(run.warm);
    const oc = median(ourCold.map((r) => r.totalMs));
    const ow = median(ourWarm.map((r) => r.totalMs));
    process.stdout.write(`\nRebuild of the Go fixture fork (${fork.packages.length} packages, Debian Go in ${GO_IMAGE}), one-line change in daemon/daemon.go, ${runs} run(s), medians in seconds\n\n`);
    printTable(['build', 'cold s', 'warm s (one-line change)', 'cold ratio', 'warm ratio'], [
      [`docker run hack/make.sh binary, upstream's two cache volumes`, s(rc), s(rw), '1.00', '1.00'],
      [`Docker Fork Workbench (BuildRunner)${cachesMounted ? ', recipe cache volumes' : ', no cache volumes (recipe caches not honoured yet)'}`, s(oc), s(ow), (oc / rc).toFixed(2), (ow / rw).toFixed(2)],
    ]);

    const buildOf = (r: OursRun) => r.phases['the build itself (first → last output line)'];
    if (seriesOurs.length) {
      const rt = median(seriesRun.map((r) => r.totalMs));
      const ot = median(seriesOurs.map((r) => r.totalMs));
      const rf = median(seriesRun.map((r) => r.totalMs - r.buildMs));
      const of = median(seriesOurs.map((r) => r.totalMs - buildOf(r)));
      process.stdout.write(`\nWarm rebuilds (one-line change), ${warmRuns} each, alternating: total, the build's own output span (first → last line), and the fixed cost around it, median ms\n\n`);
      printTable(['build', 'total ms', 'build output span ms', 'fixed cost ms', 'total ratio'], [
        ['docker run hack/make.sh binary', ms(rt), ms(median(seriesRun.map((r) => r.buildMs))), ms(rf), '1.00'],
        ['Docker Fork Workbench (BuildRunner)', ms(ot), ms(median(seriesOurs.map(buildOf))), ms(of), (ot / rt).toFixed(2)],
      ]);
    }

    // Where the seconds around a build go: the warm series if there is one, else every BuildRunner build.
    const all = seriesOurs.length ? seriesOurs : [...ourCold, ...ourWarm];
    const names = Object.keys(all[0].phases);
    const art = await collectArtifactsMs(fork.root);
    const dockerSide = seriesRun.length ? `docker run: ${ms(median(seriesRun.map((r) => r.firstMs)))} ms to its first line, ${ms(median(seriesRun.map((r) => r.tailMs)))} ms from its last line to exit` : '';
    process.stdout.write(`\nBuildRunner phases, median ms over ${all.length} ${seriesOurs.length ? 'warm ' : ''}builds${dockerSide ? `; ${dockerSide}` : ''}\n\n`);
    printTable(['phase', 'median ms', 'max ms'], [
      ...names.map((n) => [n, ms(median(all.map((r) => r.phases[n]))), ms(Math.max(...all.map((r) => r.phases[n])))]),
      ['(alone) git rev-parse --short HEAD', ms(await gitRevParseMs(fork.root)), ''],
      ['(alone) collectArtifacts on this host: sha256 + --version of dockerd', ms(art.collectMs), ''],
      ['(alone) dockerd --version on this host', ms(art.versionMs), ''],
    ]);
  } finally {
    await engine.stop();
    removeRigDir(root);
  }
}

async function collectArtifactsMs(repo: string): Promise<{ collectMs: number; versionMs: number }> {
  const t0 = now();
  const found = await collectArtifacts(repo, ['bundles/binary-daemon']);
  const collectMs = now() - t0;
  const t1 = now();
  await versionLine(found.find((a) => a.relativePath.endsWith('/dockerd'))!.path);
  return { collectMs, versionMs: now() - t1 };
}

if (require.main === module) rebuildBench().catch((e) => ((process.exitCode = 1), console.error(e)));
