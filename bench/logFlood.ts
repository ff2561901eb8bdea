// Figure: a 50 MiB log flood through a build task's pseudoterminal in a real
// VS Code host (code-server), against the same output through `docker run`
// to a pipe, alternately in one session (BENCH_RUNS pairs, default 3), with
// the extension host's event-loop delay and CPU time during each.
import * as os from 'os';
import * as path from 'path';
import { runInCodeServer } from '../test/runners/codeServer';
import { TEST_WORKSPACE_SETTINGS } from '../test/runners/workspace';
import { FLOOD_COMMAND } from './floodTarget';
import { printTable } from './table';

const REPO_ROOT = path.resolve(__dirname, '../..');

export async function logFloodBench(): Promise<void> {
  const settings = { ...TEST_WORKSPACE_SETTINGS, 'dockerFork.targets': [...TEST_WORKSPACE_SETTINGS['dockerFork.targets'], { id: 'flood', command: FLOOD_COMMAND, image: 'docker-dev:moby-fork' }] };
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  const loadBefore = load();
  const report = await runInCodeServer({ testsPath: path.join(REPO_ROOT, 'out/bench/hostFlood'), withEngine: true, settings, timeoutMs: 900_000 });
  if (report.failed.length || !report.metrics) throw new Error(`log flood probe failed: ${JSON.stringify(report.failed)}`);
  const m = report.metrics;
  const mib = m.bytes / 1024 / 1024;
  const s = (x: number) => (x / 1000).toFixed(2);
  process.stdout.write(`\nLog flood: ${mib.toFixed(0)} MiB of log lines from a build container, in a real VS Code host, ${m.runs} runs each, alternating\n\n`);
  printTable(['path', 'median s', 'min s', 'max s', 'MiB/s', 'ratio to docker run', 'extension host CPU s', 'event-loop delay p50 / p99 / max ms'], [
    ['Docker Fork Workbench build task → pseudoterminal (until the workbench has it all)', s(m.oursMs), s(m.oursMinMs), s(m.oursMaxMs), (mib / (m.oursMs / 1000)).toFixed(1), m.ratio.toFixed(2), s(m.oursCpuMs), `${m.lagP50Ms.toFixed(1)} / ${m.lagP99Ms.toFixed(1)} / ${m.lagMaxMs.toFixed(1)}`],
    ['… of which the build itself (BuildRunner start → done)', s(m.runnerMs), '', '', (mib / (m.runnerMs / 1000)).toFixed(1), m.runnerRatio.toFixed(2), '', ''],
    ['docker run (CLI) → pipe', s(m.cliMs), s(m.cliMinMs), s(m.cliMaxMs), (m.cliBytes / 1024 / 1024 / (m.cliMs / 1000)).toFixed(1), '1.00', s(m.cliCpuMs), `${m.cliLagP50Ms.toFixed(1)} / ${m.cliLagP99Ms.toFixed(1)} / ${m.cliLagMaxMs.toFixed(1)}`],
  ]);
  const pairs = Array.from({ length: m.runs }, (_, i) => `${s(m[`run${i + 1}OursMs`])} (build ${s(m[`run${i + 1}RunnerMs`])}, workbench caught up ${s(m[`run${i + 1}DrainMs`])} s later, p99 ${m[`run${i + 1}LagP99Ms`].toFixed(0)} ms) / ${s(m[`run${i + 1}CliMs`])}`).join('; ');
  process.stdout.write(`\nEach pair, ours / docker run in s: ${pairs}.`);
  process.stdout.write(
    `\nRatios and delays: medians over the runs (max: the worst). The docker run row's delay is the same host idle meanwhile, what the machine's load alone costs. Load average (1/5/15 min) before: ${loadBefore}; after: ${load()}, on ${os.cpus().length} CPUs.\n`,
  );
}

if (require.main === module) logFloodBench().catch((e) => ((process.exitCode = 1), console.error(e)));
