// Runs in the extension host for bench/logFlood: a build that prints a flood
// of log lines through the task's pseudoterminal, then the same output
// through `docker run` to a pipe, alternately (BENCH_RUNS pairs), with the
// host's event-loop delay and its CPU time sampled during each.
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import { Session } from 'inspector';
import { IntervalHistogram, monitorEventLoopDelay } from 'perf_hooks';
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

async function ourBuild(): Promise<number> {
  const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'flood' });
  if (result?.exitCode !== 0) throw new Error(`flood build failed: ${result?.error ?? result?.exitCode}`);
  return FLOOD_BYTES;
}

/** Wall time, extension-host CPU time and event-loop delay of one flood. */
async function measure(flood: () => Promise<number>, lag: IntervalHistogram): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  lag.enable();
  const bytes = await flood();
  lag.disable();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes };
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
    const oursLag = monitorEventLoopDelay({ resolution: 10 });
    const cliLag = monitorEventLoopDelay({ resolution: 10 });
    const ours: Array<{ ms: number; cpuMs: number }> = [];
    const cli: Array<{ ms: number; cpuMs: number; bytes: number }> = [];
    for (let i = 0; i < runs; i++) {
      const stopProfile = i === 0 ? await startProfile() : undefined;
      ours.push(await measure(ourBuild, oursLag));
      await stopProfile?.();
      cli.push(await measure(dockerRun, cliLag));
    }
    const ms = (h: IntervalHistogram, p: number) => h.percentile(p) / 1e6;
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
        oursCpuMs: median(ours.map((o) => o.cpuMs)),
        cliCpuMs: median(cli.map((c) => c.cpuMs)),
        lagP50Ms: ms(oursLag, 50),
        lagP99Ms: ms(oursLag, 99),
        lagMaxMs: oursLag.max / 1e6,
        cliLagP50Ms: ms(cliLag, 50),
        cliLagP99Ms: ms(cliLag, 99),
        cliLagMaxMs: cliLag.max / 1e6,
      },
    });
  } catch (e) {
    await reportToRunner({ passed: [], failed: [{ title: 'log flood', error: String(e) }], pending: [], durationMs: Date.now() - started });
    throw e;
  }
}
