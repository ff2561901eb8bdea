// Entry point VS Code calls in the extension host (extensionTestsPath): the
// same contract for @vscode/test-electron and for the code-server runner.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

/** What the runner reads back when the host cannot hand it an exit code (code-server). */
export interface HostTestReport {
  passed: string[];
  failed: Array<{ title: string; error: string }>;
  pending: string[];
  durationMs: number;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false });
  const dir = __dirname;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  const report: HostTestReport = { passed: [], failed: [], pending: [], durationMs: 0 };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      report.durationMs = Date.now() - started;
      const finish = () => (failures > 0 ? reject(new Error(`${failures} VS Code test(s) failed`)) : resolve());
      const resultFile = process.env.DFW_TEST_RESULT_FILE;
      if (!resultFile) return finish();
      fs.writeFileSync(resultFile, JSON.stringify(report, null, 2));
      // The host shuts the extension down once run() settles, emptying its
      // views: give the runner time to take its screenshot first.
      void waitForFile(`${resultFile}.seen`, 30_000).then(finish);
    });
    runner.on('pass', (t) => report.passed.push(t.fullTitle()));
    runner.on('pending', (t) => report.pending.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => report.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
