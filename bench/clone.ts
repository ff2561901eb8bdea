// Figure: cloning a repository with cloneRepository (simple-git, progress
// events, ls-remote preflight for a ref) against plain `git clone` of the same
// repository served by `git daemon` on loopback, alternating in one run. Few,
// large files: on a loaded machine creating thousands of files in the checkout
// swamps the transfer, and both tools do the same checkout.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cloneRepository } from '../src/core/git/clone';
import { startGitDaemon } from '../test/services/gitDaemon';
import { generateHistory } from '../test/services/gitHistory';
import { requireTools, TOOLS } from '../test/services/preflight';
import { makeRigDir, removeRigDir } from '../test/services/tempRoot';
import { median, printTable } from './table';

const COMMITS = 60;
const FILES_PER_COMMIT = 20;
const FILE_BYTES = 40 * 1024;

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function plainGitClone(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('git', ['clone', '-q', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(seconds(t0)) : reject(new Error(`git clone failed: ${err}`))));
  });
}

async function ours(url: string, dir: string, ref?: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  let events = 0;
  await cloneRepository({ source: url, dir, ref, onProgress: () => events++ });
  if (events === 0) throw new Error('cloneRepository reported no progress');
  return seconds(t0);
}

export async function cloneBench(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<void> {
  const { git } = requireTools([TOOLS.git]);
  const root = makeRigDir('bench-clone');
  const daemon = await startGitDaemon(root, git);
  try {
    const made = await generateHistory(path.join(daemon.baseDir, 'big.git'), COMMITS, FILES_PER_COMMIT, FILE_BYTES);
    const url = daemon.url('big');
    const scenarios: Array<{ name: string; ours: (dir: string) => Promise<number>; plain: (dir: string) => Promise<number> }> = [
      { name: 'default branch', ours: (dir) => ours(url, dir), plain: (dir) => plainGitClone(['--', url, dir]) },
      { name: '--ref main', ours: (dir) => ours(url, dir, 'main'), plain: (dir) => plainGitClone(['--branch', 'main', '--', url, dir]) },
    ];
    const rows: Array<Array<string | number>> = [];
    let n = 0;
    for (const s of scenarios) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first, so neither always meets a warm or a cold page cache.
        const order = i % 2 === 0 ? (['ours', 'plain'] as const) : (['plain', 'ours'] as const);
        for (const who of order) {
          const dir = path.join(root, `clone-${n++}`);
          (who === 'ours' ? a : b).push(await s[who](dir));
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      const ma = median(a);
      const mb = median(b);
      rows.push([`cloneRepository, ${s.name}`, ma.toFixed(2), Math.min(...a).toFixed(2), Math.max(...a).toFixed(2), (ma / mb).toFixed(2)]);
      rows.push([`git clone, ${s.name}`, mb.toFixed(2), Math.min(...b).toFixed(2), Math.max(...b).toFixed(2), '1.00']);
    }
    process.stdout.write(`\nCloning a ${COMMITS}-commit history of ${COMMITS * FILES_PER_COMMIT} files, ${(made.bytes / 1024 / 1024).toFixed(0)} MiB of incompressible blobs, from git daemon on loopback, ${runs} runs each, alternating\n\n`);
    printTable(['clone', 'median s', 'min s', 'max s', 'ratio to git clone'], rows);
  } finally {
    await daemon.stop();
    removeRigDir(root);
  }
}

if (require.main === module) cloneBench().catch((e) => ((process.exitCode = 1), console.error(e)));
