// Figure: how long the extension takes to activate in a real VS Code host
// (code-server + Chromium), over several fresh starts. Never asserted in tests.
import * as path from 'path';
import { runInCodeServer } from '../test/runners/codeServer';
import { median, printTable } from './table';

const REPO_ROOT = path.resolve(__dirname, '../..');

export async function activationBench(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<void> {
  const samples: Array<{ activateMs: number; bundleLoadToActiveMs: number; pageToReportMs: number }> = [];
  for (let i = 0; i < runs; i++) {
    const report = await runInCodeServer({ testsPath: path.join(REPO_ROOT, 'out/bench/host') });
    if (report.failed.length || !report.metrics) throw new Error(`activation probe failed: ${JSON.stringify(report.failed)}`);
    samples.push({ activateMs: report.metrics.activateMs, bundleLoadToActiveMs: report.metrics.bundleLoadToActiveMs, pageToReportMs: report.pageToReportMs });
  }
  const row = (label: string, key: keyof (typeof samples)[number]) => {
    const xs = samples.map((s) => s[key]);
    return [label, median(xs).toFixed(1), Math.min(...xs).toFixed(1), Math.max(...xs).toFixed(1)];
  };
  process.stdout.write(`\nActivation in a real VS Code host (code-server 4.100.3 / VS Code 1.100.3), ${runs} fresh starts\n\n`);
  printTable(['measure', 'median ms', 'min ms', 'max ms'], [
    row('activate() itself', 'activateMs'),
    row('bundle loaded → activate() returned', 'bundleLoadToActiveMs'),
    row('workbench page opened → extension active (whole VS Code start)', 'pageToReportMs'),
  ]);
}

if (require.main === module) activationBench().catch((e) => ((process.exitCode = 1), console.error(e)));
