// Figure: sending a moby-sized build context (≥30,000 files, ≥300 MB, with a
// .dockerignore) to the engine: our packer + dockerode against `docker build`
// (legacy builder, the same POST /build upload), side by side in one run.
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { listContextFiles, packFiles } from '../src/core/build/context';
import { startDockerEngine } from '../test/services/dockerEngine';
import { requireTools, TOOLS } from '../test/services/preflight';
import { makeRigDir, removeRigDir } from '../test/services/tempRoot';
import { median, printTable } from './table';

const SMALL_FILES = 30_000;
const SMALL_SIZE = 4096;
const BIG_FILES = 20;
const BIG_SIZE = 10 * 1024 * 1024;

/** A tree shaped like a moby checkout: many small sources, some large blobs, an ignored bundles/ and .git. */
function makeTree(dir: string): { files: number; bytes: number } {
  const blob = randomBytes(BIG_SIZE);
  const small = randomBytes(SMALL_SIZE);
  for (let i = 0; i < SMALL_FILES; i++) {
    const d = path.join(dir, 'pkg', `p${Math.floor(i / 500)}`, `s${Math.floor(i / 50) % 10}`);
    if (i % 50 === 0) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.go`), small);
  }
  fs.mkdirSync(path.join(dir, 'vendor-blobs'), { recursive: true });
  for (let i = 0; i < BIG_FILES; i++) fs.writeFileSync(path.join(dir, 'vendor-blobs', `b${i}.bin`), blob);
  for (const ignored of ['bundles', '.git/objects']) {
    fs.mkdirSync(path.join(dir, ignored), { recursive: true });
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, ignored, `x${i}`), blob.subarray(0, 2 * 1024 * 1024));
  }
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'bundles\n.git\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nLABEL bench=context\n');
  return { files: SMALL_FILES + BIG_FILES + 2, bytes: SMALL_FILES * SMALL_SIZE + BIG_FILES * BIG_SIZE };
}

function timeCli(dir: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('docker', ['build', '-q', '-t', 'bench-context:cli', dir], { env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e9) : reject(new Error(`docker build failed: ${err}`))));
  });
}

export async function contextSendBench(runs = Number(process.env.BENCH_RUNS ?? 3)): Promise<void> {
  const { dockerd } = requireTools([TOOLS.dockerd, TOOLS.containerd]);
  const root = makeRigDir('bench-context');
  const engine = await startDockerEngine(path.join(root, 'engine'), dockerd);
  try {
    const tree = path.join(root, 'tree');
    const made = makeTree(tree);
    const ours: number[] = [];
    const cli: number[] = [];
    let sentFiles = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const files = await listContextFiles(tree);
      sentFiles = files.length;
      const stream = (await engine.client.buildImage(packFiles(tree, files) as unknown as NodeJS.ReadableStream, { t: 'bench-context:ours', q: true })) as unknown as Readable;
      await new Promise<void>((resolve, reject) => stream.on('data', () => undefined).on('end', resolve).on('error', reject));
      ours.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cli.push(await timeCli(tree, engine.host));
    }
    process.stdout.write(`\nSending a build context of ${sentFiles} files, ${(made.bytes / 1024 / 1024).toFixed(0)} MiB (plus 160 MiB excluded by .dockerignore), ${runs} runs each\n\n`);
    const m = median(ours);
    const c = median(cli);
    printTable(['tool', 'median s', 'min s', 'max s', 'ratio to docker build'], [
      ['Docker Fork Workbench (listContextFiles + packFiles + dockerode)', m.toFixed(2), Math.min(...ours).toFixed(2), Math.max(...ours).toFixed(2), (m / c).toFixed(2)],
      ['docker build (CLI, DOCKER_BUILDKIT=0)', c.toFixed(2), Math.min(...cli).toFixed(2), Math.max(...cli).toFixed(2), '1.00'],
    ]);
  } finally {
    await engine.stop();
    removeRigDir(root);
  }
}

if (require.main === module) contextSendBench().catch((e) => ((process.exitCode = 1), console.error(e)));
