// Entry point VS Code calls in the extension host (extensionTestsPath): the
// same contract for @vscode/test-electron and for the code-server runner.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';
import { HostTestReport, reportToRunner } from './hostReport';

export function run(): Promise<void> {
  // DFW_VSCODE_GREP runs only the tests whose title matches (while working on one suite).
  const grep = process.env.DFW_VSCODE_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, ...(grep ? { grep } : {}) });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const report: HostTestReport = { passed: [], failed: [], pending: [], durationMs: 0 };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      report.durationMs = Date.now() - started;
      void reportToRunner(report).then(() => (failures > 0 ? reject(new Error(`${failures} VS Code test(s) failed`)) : resolve()));
    });
    runner.on('pass', (t) => report.passed.push(t.fullTitle()));
    runner.on('pending', (t) => report.pending.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => report.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}
