// Figures: deploying ~100 MB of daemon binaries to SSH machines with the
// deploy runner (probe, plan, upload, checksum, backup, rename, restart,
// verify over one connection) against the commands a docker-machine user
// runs instead, alternating in one run:
// - a first deploy against `docker-machine scp`'s scp command line;
// - re-deploying unchanged binaries against `docker-machine scp -d`'s rsync;
// - 4 machines in parallel against one.
// Targets are real sshd instances on loopback, each with a real dockerd
// answering for the verify step; the restart command is a no-op (`true`), so
// the figures are about moving and installing files, which is what scp and
// rsync do.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { deployFilesFrom } from '../src/core/deploy/deployFiles';
import { DeployRecords } from '../src/core/deploy/deployRecords';
import { DeployContext, deployToMachine, deployToMachines } from '../src/core/deploy/deployRunner';
import type { Machine } from '../src/core/machines/machine';
import { PinnedHostKeys } from '../src/core/ssh/hostKeys';
import { DeployTarget, startDeployTarget } from '../test/services/deployTarget';
import { findBinary } from '../test/services/preflight';
import { makeRigDir, removeRigDir } from '../test/services/tempRoot';
import { median, printTable } from './table';

/** Debian's daemon binaries: what a static build's bundle holds, ~97 MB. */
const SOURCES = [
  ['dockerd', findBinary('dockerd')],
  ['containerd-shim-runc-v2', findBinary('containerd-shim-runc-v2')],
  ['runc', findBinary('runc')],
  ['docker-proxy', findBinary('docker-proxy')],
] as const;

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(seconds(t0)) : reject(new Error(`${command} failed (${code}): ${err}`))));
  });
}

/** docker-machine's own ssh options (commands/scp.go baseSSHArgs, then Port and IdentityFile). */
function machineSshArgs(t: DeployTarget): string[] {
  return ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=quiet', '-o', 'IdentitiesOnly=yes', '-o', `Port=${t.ssh.port}`, '-o', `IdentityFile="${t.ssh.identityFile}"`];
}

/** `docker-machine scp -r bundle/ machine:dest`: scp -3 -r with its options. */
function dockerMachineScp(t: DeployTarget, files: readonly string[], dest: string): Promise<number> {
  return timed('scp', [...machineSshArgs(t), '-3', ...files, `${t.ssh.user}@127.0.0.1:${dest}/`]);
}

/** `docker-machine scp -d -q`: rsync -e "ssh OPTIONS" (no -a: it keeps no times, so rsync compares content). */
function dockerMachineRsync(t: DeployTarget, files: readonly string[], dest: string): Promise<number> {
  return timed('rsync', ['-e', `ssh ${machineSshArgs(t).join(' ')}`, ...files, `${t.ssh.user}@127.0.0.1:${dest}/`]);
}

async function inSeries<T, R>(items: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of items) out.push(await f(x));
  return out;
}

export async function deployBench(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<void> {
  const missing = SOURCES.filter(([, p]) => !p).map(([n]) => n);
  if (missing.length) throw new Error(`deploy bench: ${missing.join(', ')} not found (Debian's docker.io, containerd and runc provide them)`);
  if (!findBinary('rsync')) throw new Error('deploy bench: rsync is not installed (apt-get install rsync)');
  const root = makeRigDir('bench-deploy');
  const targets: DeployTarget[] = [];
  try {
    for (const name of ['m1', 'm2', 'm3', 'm4']) targets.push(await startDeployTarget(root, name));
    for (const t of targets) {
      fs.copyFileSync(SOURCES[0][1]!, path.join(t.binDir, 'dockerd'));
      fs.chmodSync(path.join(t.binDir, 'dockerd'), 0o755);
    }
    await Promise.all(targets.map((t) => t.startDaemon()));
    // The build: the same programs with a marker appended (another sha256
    // than what the machine has, the same version line).
    const bundle = path.join(root, 'bundle');
    fs.mkdirSync(bundle);
    for (const [name, src] of SOURCES) fs.writeFileSync(path.join(bundle, name), Buffer.concat([fs.readFileSync(src!), Buffer.from('\0dfw-bench\n')]), { mode: 0o755 });
    const files = SOURCES.map(([n]) => path.join(bundle, n));
    const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
    const machine = (t: DeployTarget): Machine => ({ name: t.name, source: 'ssh', ssh: { host: '127.0.0.1', port: t.ssh.port, user: t.ssh.user, identityFile: t.ssh.identityFile, hostKeys: 'pinned' }, daemonHost: t.daemonHost, origin: 'bench' });
    const ctx: DeployContext = { pinnedHostKeys: new PinnedHostKeys(path.join(root, 'known_hosts')), confirmHostKey: async () => true, records: new DeployRecords(path.join(root, 'deploys.json')) };
    let n = 0;
    /** A destination holding the "old" binaries (Debian's), as a machine has before a deploy. */
    const oldDest = (t: DeployTarget) => {
      const dest = path.join(t.root, `dest-${n++}`);
      fs.mkdirSync(dest);
      for (const [name, src] of SOURCES) fs.copyFileSync(src!, path.join(dest, name));
      return dest;
    };
    const options = (t: DeployTarget, dest: string) => ({ dest, restart: 'true', daemonHost: t.daemonHost, remoteStateDir: path.join(t.root, 'state'), verifyTimeoutSec: 30 });
    const ours = async (t: DeployTarget, dest: string, expectUpToDate: boolean) => {
      const t0 = process.hrtime.bigint();
      const set = deployFilesFrom([bundle]);
      const r = await deployToMachine(machine(t), set, options(t, dest), ctx);
      const s = seconds(t0);
      await (await set).dispose();
      if (!r.ok || !!r.upToDate !== expectUpToDate) throw new Error(`deploy bench: ${r.error ?? `upToDate ${r.upToDate}`}`);
      return s;
    };
    const [t1] = targets;
    const first = { ours: [] as number[], plain: [] as number[] };
    const again = { ours: [] as number[], plain: [] as number[] };
    const parallel = { four: [] as number[], one: [] as number[], series: [] as number[] };
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? (['ours', 'plain'] as const) : (['plain', 'ours'] as const);
      for (const who of order) {
        const dest = oldDest(t1);
        if (who === 'ours') {
          first.ours.push(await ours(t1, dest, false));
          again.ours.push(await ours(t1, dest, true));
        } else {
          first.plain.push(await dockerMachineScp(t1, files, dest));
          again.plain.push(await dockerMachineRsync(t1, files, dest));
        }
        fs.rmSync(dest, { recursive: true, force: true });
      }
      fs.rmSync(path.join(t1.root, 'state'), { recursive: true, force: true });
      // 4 machines at once against one machine, alternating.
      for (const who of i % 2 === 0 ? (['four', 'one', 'series'] as const) : (['series', 'one', 'four'] as const)) {
        const group = who === 'one' ? [t1] : targets;
        const dests = new Map(group.map((t) => [t.name, oldDest(t)]));
        const t0 = process.hrtime.bigint();
        const set = deployFilesFrom([bundle]);
        const optionsOf = (m: Machine) => options(targets.find((t) => t.name === m.name)!, dests.get(m.name)!);
        const results = who === 'series' ? await inSeries(group.map(machine), (m) => deployToMachine(m, set, optionsOf(m), ctx)) : await deployToMachines(group.map(machine), set, optionsOf, ctx);
        parallel[who].push(seconds(t0));
        await (await set).dispose();
        const failed = results.filter((r) => !r.ok);
        if (failed.length) throw new Error(`deploy bench: ${failed.map((r) => r.error).join('; ')}`);
        for (const d of dests.values()) fs.rmSync(d, { recursive: true, force: true });
        for (const t of group) fs.rmSync(path.join(t.root, 'state'), { recursive: true, force: true });
      }
    }
    const row = (name: string, xs: number[], base: number) => [name, median(xs).toFixed(2), Math.min(...xs).toFixed(2), Math.max(...xs).toFixed(2), (median(xs) / base).toFixed(2)];
    process.stdout.write(`\nDeploying ${files.length} binaries, ${(bytes / 1024 / 1024).toFixed(1)} MiB, to sshd on loopback, ${runs} runs each, alternating\n\n`);
    printTable(['deploy', 'median s', 'min s', 'max s', 'ratio'], [
      row('deploy runner, first deploy (hash here, look there, upload, size check, backup, rename, verify)', first.ours, median(first.plain)),
      row('docker-machine scp (scp -3 with its options)', first.plain, median(first.plain)),
      row('deploy runner, unchanged binaries (sha256 there, daemon asked, nothing sent)', again.ours, median(again.plain)),
      row('docker-machine scp -d (rsync -e ssh)', again.plain, median(again.plain)),
      row('deploy runner, 4 machines in parallel', parallel.four, median(parallel.one)),
      row('deploy runner, 1 machine', parallel.one, median(parallel.one)),
      row('deploy runner, 4 machines one after another', parallel.series, median(parallel.one)),
    ]);
  } finally {
    await Promise.allSettled(targets.map((t) => t.stop()));
    removeRigDir(root);
  }
}

if (require.main === module) deployBench().catch((e) => ((process.exitCode = 1), console.error(e)));
