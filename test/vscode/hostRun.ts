import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';
import { HostTestReport, reportToRunner } from './hostReport';

/**
 * Runs every *.test.js of `dir` with mocha in this extension host and reports
 * to the runner; `beforeReport` runs after the tests, before the report.
 */
export function runMochaIn(dir: string, beforeReport?: () => Promise<void>): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, grep: process.env.DFW_VSCODE_GREP || undefined });
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  if (process.env.DFW_VSCODE_ORDER === 'reverse') {
    // To show that no test depends on an earlier one: the same tests, last first.
    // loadFiles() is protected in the typings; lazyLoadFiles(true) stops run() loading them again.
    const m = mocha as unknown as { loadFiles(): void; lazyLoadFiles(on: boolean): void };
    m.loadFiles();
    m.lazyLoadFiles(true);
    mocha.suite.suites.forEach((s) => s.tests.reverse());
  }
  const report: HostTestReport = { passed: [], failed: [], pending: [], durationMs: 0 };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      report.durationMs = Date.now() - started;
      void (beforeReport?.() ?? Promise.resolve())
        .catch((e: unknown) => report.failed.push({ title: 'after the tests', error: String(e instanceof Error ? e.stack : e) }))
        .then(() => reportToRunner(report))
        .then(() => (failures > 0 || report.failed.length ? reject(new Error(`${report.failed.length} VS Code test(s) failed`)) : resolve()));
    });
    runner.on('pass', (t) => report.passed.push(t.fullTitle()));
    runner.on('pending', (t) => report.pending.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => report.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}
