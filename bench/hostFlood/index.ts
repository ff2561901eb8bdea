// Runs in the extension host for bench/logFlood: a build that prints a flood
// of log lines through the task's pseudoterminal, then the same output
// through `docker run` to a pipe, alternately (BENCH_RUNS pairs), with the
// host's event-loop delay and its CPU time sampled during each.
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import { Session } from 'inspector';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as vscode from 'vscode';
import type { BuildResult } from '../../src/core/build/events';
import { reportToRunner } from '../../test/vscode/hostReport';
import { FLOOD_BYTES, FLOOD_COMMAND } from '../floodTarget';

function dockerRun(): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const child = spawn('docker', ['run', '--rm', 'docker-dev:moby-fork', ...FLOOD_COMMAND], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`docker run exited ${code}`))));
  });
}

/** The build's own duration (BuildRunner, from start to done), without the task's start in the workbench. */
let lastRunnerMs = 0;

/** Time from the build's end until the workbench has received all it was sent. */
let lastDrainMs = 0;

async function ourBuild(): Promise<number> {
  const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'flood' });
  if (result?.exitCode !== 0) throw new Error(`flood build failed: ${result?.error ?? result?.exitCode}`);
  lastRunnerMs = result.durationMs;
  // The output has reached the terminal only once the workbench has taken
  // it: a command that runs in the workbench answers after every message
  // sent to it before (one ordered channel), terminal output included.
  const t0 = Date.now();
  await vscode.commands.executeCommand('setContext', 'dockerFork.benchProbe', t0);
  lastDrainMs = Date.now() - t0;
  return FLOOD_BYTES;
}

interface Measured {
  ms: number;
  cpuMs: number;
  bytes: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/**
 * Wall time, extension-host CPU time and event-loop delay of one flood. A
 * new delay monitor each time: one re-enabled after a pause first reports
 * the whole pause as a delay.
 */
async function measure(flood: () => Promise<number>): Promise<Measured> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  lag.enable();
  const bytes = await flood();
  lag.disable();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes, lagP50Ms: lag.percentile(50) / 1e6, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6 };
}

/**
 * With DFW_FLOOD_CPU_PROFILE=file, a V8 CPU profile of the extension host
 * during the first flood of ours is written there (open it in Chrome's
 * DevTools), to see where the host's time goes.
 */
async function startProfile(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.DFW_FLOOD_CPU_PROFILE;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    await fs.writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run(): Promise<void> {
  const started = Date.now();
  try {
    await vscode.extensions.getExtension('docker-fork-workbench.docker-fork-workbench')!.activate();
    // Builds the builder image the flood runs in.
    const warm = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'binary' });
    if (warm?.exitCode !== 0) throw new Error(`warm-up build failed: ${warm?.error ?? warm?.exitCode}`);
    const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
    const ours: Array<Measured & { runnerMs: number; drainMs: number }> = [];
    const cli: Measured[] = [];
    for (let i = 0; i < runs; i++) {
      const stopProfile = i === 0 ? await startProfile() : undefined;
      ours.push({ ...(await measure(ourBuild)), runnerMs: lastRunnerMs, drainMs: lastDrainMs });
      await stopProfile?.();
      cli.push(await measure(dockerRun));
    }
    const perRun = Object.fromEntries(ours.flatMap((o, i) => [[`run${i + 1}OursMs`, o.ms], [`run${i + 1}RunnerMs`, o.runnerMs], [`run${i + 1}DrainMs`, o.drainMs], [`run${i + 1}CliMs`, cli[i].ms], [`run${i + 1}LagP99Ms`, o.lagP99Ms]]));
    await reportToRunner({
      passed: ['log flood'],
      failed: [],
      pending: [],
      durationMs: Date.now() - started,
      metrics: {
        runs,
        bytes: FLOOD_BYTES,
        cliBytes: median(cli.map((c) => c.bytes)),
        oursMs: median(ours.map((o) => o.ms)),
        cliMs: median(cli.map((c) => c.ms)),
        ratio: median(ours.map((o, i) => o.ms / cli[i].ms)),
        oursMinMs: Math.min(...ours.map((o) => o.ms)),
        oursMaxMs: Math.max(...ours.map((o) => o.ms)),
        cliMinMs: Math.min(...cli.map((c) => c.ms)),
        cliMaxMs: Math.max(...cli.map((c) => c.ms)),
        runnerMs: median(ours.map((o) => o.runnerMs)),
        runnerRatio: median(ours.map((o, i) => o.runnerMs / cli[i].ms)),
        oursCpuMs: median(ours.map((o) => o.cpuMs)),
        cliCpuMs: median(cli.map((c) => c.cpuMs)),
        lagP50Ms: median(ours.map((o) => o.lagP50Ms)),
        lagP99Ms: median(ours.map((o) => o.lagP99Ms)),
        lagMaxMs: Math.max(...ours.map((o) => o.lagMaxMs)),
        cliLagP50Ms: median(cli.map((c) => c.lagP50Ms)),
        cliLagP99Ms: median(cli.map((c) => c.lagP99Ms)),
        cliLagMaxMs: Math.max(...cli.map((c) => c.lagMaxMs)),
        ...perRun,
      },
    });
  } catch (e) {
    await reportToRunner({ passed: [], failed: [{ title: 'log flood', error: String(e) }], pending: [], durationMs: Date.now() - started });
    throw e;
  }
}
