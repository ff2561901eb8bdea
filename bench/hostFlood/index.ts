// Runs in the extension host for bench/logFlood: a build that prints a flood
// of log lines through the task's pseudoterminal, with the host's event-loop
// delay sampled meanwhile; then the same output through `docker run`.
import { spawn } from 'child_process';
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
    const t0 = process.hrtime.bigint();
    const result = await vscode.commands.executeCommand<BuildResult>('dockerFork.build.run', { target: 'flood' });
    const oursMs = Number(process.hrtime.bigint() - t0) / 1e6;
    lag.disable();
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
