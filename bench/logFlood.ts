// Figure: a 50 MiB log flood through a build task's pseudoterminal in a real
// VS Code host (code-server), with the extension host's event-loop delay,
// against the same output through `docker run` to a pipe.
import * as path from 'path';
import { runInCodeServer } from '../test/runners/codeServer';
import { TEST_WORKSPACE_SETTINGS } from '../test/runners/workspace';
import { FLOOD_COMMAND } from './floodTarget';
import { printTable } from './table';

const REPO_ROOT = path.resolve(__dirname, '../..');

export async function logFloodBench(): Promise<void> {
  const settings = { ...TEST_WORKSPACE_SETTINGS, 'dockerFork.targets': [...TEST_WORKSPACE_SETTINGS['dockerFork.targets'], { id: 'flood', command: FLOOD_COMMAND, image: 'docker-dev:moby-fork' }] };
  const report = await runInCodeServer({ testsPath: path.join(REPO_ROOT, 'out/bench/hostFlood'), withEngine: true, settings, timeoutMs: 600_000 });
  if (report.failed.length || !report.metrics) throw new Error(`log flood probe failed: ${JSON.stringify(report.failed)}`);
  const m = report.metrics;
  const mib = m.bytes / 1024 / 1024;
  process.stdout.write(`\nLog flood: ${mib.toFixed(0)} MiB of log lines from a build container, in a real VS Code host\n\n`);
  printTable(['path', 'seconds', 'MiB/s', 'ratio to docker run'], [
    ['Docker Fork Workbench build task → pseudoterminal', (m.oursMs / 1000).toFixed(2), (mib / (m.oursMs / 1000)).toFixed(1), (m.oursMs / m.cliMs).toFixed(2)],
    ['docker run (CLI) → pipe', (m.cliMs / 1000).toFixed(2), (m.cliBytes / 1024 / 1024 / (m.cliMs / 1000)).toFixed(1), '1.00'],
  ]);
  process.stdout.write(`\nExtension host event-loop delay during the flood: p50 ${m.lagP50Ms.toFixed(1)} ms, p99 ${m.lagP99Ms.toFixed(1)} ms, max ${m.lagMaxMs.toFixed(1)} ms\n`);
}

if (require.main === module) logFloodBench().catch((e) => ((process.exitCode = 1), console.error(e)));
