// Runs in the extension host for bench/logFlood: a build that prints a flood
// of log lines through the task's pseudoterminal, with the host's event-loop
// delay sampled meanwhile; then the same output through `docker run`.
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import { Session } from 'inspector';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as vscode from 'vscode';
import type { BuildResult } from '../../src/core/build/events';
import { reportToRunner } from '../../test/vscode/hostReport';
import { FLOOD_BYTES, FLOOD_COMMAND } from '../floodTarget';

function dockerRunMs(): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    const child = spawn('docker', ['run', '--rm', 'docker-dev:moby-fork', ...FLOOD_COMMAND], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes }) : reject(new Error(`docker run exited ${code}`))));
  });
}

/**
 * With DFW_FLOOD_CPU_PROFILE=file, a V8 CPU profile of the extension host
 * during the flood is written there (open it in Chrome's DevTools), to see
 * where the host's time goes.
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

export async function run(): Promise<void> {
  const started = Date.now();
  try {
    await vscode.extensions.getExtension('docker-fork-workbench.docker-fork-workbench')!.activate();
    // Builds the builder image the flood runs in.
    const warm = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'binary' });
    if (warm?.exitCode !== 0) throw new Error(`warm-up build failed: ${warm?.error ?? warm?.exitCode}`);
    let bytes = 0;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const stopProfile = await startProfile();
    const t0 = process.hrtime.bigint();
    const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'flood' });
    const oursMs = Number(process.hrtime.bigint() - t0) / 1e6;
    lag.disable();
    await stopProfile?.();
    if (result?.exitCode !== 0) throw new Error(`flood build failed: ${result?.error ?? result?.exitCode}`);
    bytes = FLOOD_BYTES;
    const cli = await dockerRunMs();
    await reportToRunner({
      passed: ['log flood'],
      failed: [],
      pending: [],
      durationMs: Date.now() - started,
      metrics: { oursMs, cliMs: cli.ms, bytes, cliBytes: cli.bytes, lagP50Ms: lag.percentile(50) / 1e6, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6 },
    });
  } catch (e) {
    await reportToRunner({ passed: [], failed: [{ title: 'log flood', error: String(e) }], pending: [], durationMs: Date.now() - started });
    throw e;
  }
}
