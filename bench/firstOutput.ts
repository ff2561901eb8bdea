// Figure: from pressing Build to the first line of the build's own output,
// on a second build with an unchanged builder image. Ours (BuildRunner)
// against what a user runs otherwise: the repository's `make binary`
// (docker build + docker run through the docker CLI), in one run.
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../src/core/build/buildRunner';
import { applyOverrides } from '../src/core/build/recipe';
import { detectRepository } from '../src/core/repo/detect';
import { listTargets } from '../src/core/repo/targets';
import { makeSampleWorkspace } from '../test/runners/workspace';
import { startEngineWithBaseImage } from '../test/services/engineWithBaseImage';
import { makeRigDir, removeRigDir } from '../test/services/tempRoot';
import { median, printTable } from './table';

const FIRST_LINE = 'Removing bundles/';

function makeFirstLine(repo: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let seen: number | undefined;
    // `-o build`: the dev image needs BuildKit and a registry for its `# syntax=`
    // frontend, which the docker CLI cannot reach here; ours built it already.
    const child = spawn('make', ['-C', repo, '-o', 'build', 'binary', 'DOCKER_PRIVILEGED=', 'DOCKER_IMAGE=docker-dev:moby-fork'], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      if (seen === undefined && d.toString('utf8').includes(FIRST_LINE)) seen = Number(process.hrtime.bigint() - t0) / 1e6;
    });
    child.on('close', (code) => (code === 0 && seen !== undefined ? resolve(seen) : reject(new Error(`make binary exited ${code}`))));
  });
}

async function oursFirstLine(repo: string, host: string): Promise<number> {
  const recipe = applyOverrides((await listTargets((await detectRepository(repo))!))[0], { privileged: false });
  const t0 = process.hrtime.bigint();
  let seen: number | undefined;
  const result = await new BuildRunner().run(recipe, {
    engineEnv: { env: { PATH: process.env.PATH, DOCKER_HOST: host }, homeDir: os.homedir() },
    listener: (e) => {
      if (seen === undefined && e.type === 'log' && e.stream === 'stdout' && e.text.includes(FIRST_LINE)) seen = Number(process.hrtime.bigint() - t0) / 1e6;
    },
  });
  if (result.exitCode !== 0 || seen === undefined) throw new Error(`build failed: ${result.error ?? result.exitCode}`);
  return seen;
}

export async function firstOutputBench(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<void> {
  const root = makeRigDir('bench-first');
  const engine = await startEngineWithBaseImage(path.join(root, 'engine'), (l) => process.stderr.write(`${l}\n`));
  try {
    const repo = await makeSampleWorkspace(root);
    // First builds make the builder image for both; only second builds are measured.
    await oursFirstLine(repo, engine.host);
    await makeFirstLine(repo, engine.host);
    const ours: number[] = [];
    const make: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await oursFirstLine(repo, engine.host));
      make.push(await makeFirstLine(repo, engine.host));
    }
    const o = median(ours);
    const m = median(make);
    process.stdout.write(`\nBuild pressed → first line of the build's output, builder image unchanged, ${runs} runs each\n\n`);
    printTable(['tool', 'median ms', 'min ms', 'max ms', 'ratio to make binary'], [
      ['Docker Fork Workbench (BuildRunner, image reused by fingerprint)', o.toFixed(0), Math.min(...ours).toFixed(0), Math.max(...ours).toFixed(0), (o / m).toFixed(2)],
      ['make -o build binary (docker run via the CLI, no image check)', m.toFixed(0), Math.min(...make).toFixed(0), Math.max(...make).toFixed(0), '1.00'],
    ]);
  } finally {
    await engine.stop();
    removeRigDir(root);
  }
}

if (require.main === module) firstOutputBench().catch((e) => ((process.exitCode = 1), console.error(e)));
