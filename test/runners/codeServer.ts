// Runs the test/vscode mocha suite inside a real VS Code extension host:
// code-server (VS Code's server and workbench) driven by Debian's Chromium.
import * as fs from 'fs';
import * as path from 'path';
import type { HostTestReport } from '../vscode/hostReport';
import { makeRigDir, removeRigDir } from '../services/tempRoot';
import { launchChromium } from './browser';
import { ensureCodeServer } from './codeServerInstall';
import { startCodeServer, testUrl } from './codeServerHost';
import { startEngineWithBaseImage } from '../services/engineWithBaseImage';
import { makeSampleWorkspace, TEST_WORKSPACE_SETTINGS } from './workspace';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
const log = (line: string) => process.stderr.write(`[vscode] ${line}\n`);

export interface HostRunOptions {
  /** Folder of the compiled tests module whose run() the host calls. */
  testsPath: string;
  /** Start a private Docker engine with the base image for the extension to build on. */
  withEngine?: boolean;
  /** Workspace settings of the sample fork (default: TEST_WORKSPACE_SETTINGS). */
  settings?: Record<string, unknown>;
  /** Where to save a screenshot of the workbench once the tests are done. */
  screenshot?: string;
  timeoutMs?: number;
}

/** Starts code-server and Chromium, runs the tests module in the extension host, and always cleans up. */
export async function runInCodeServer(options: HostRunOptions): Promise<HostTestReport & { pageToReportMs: number }> {
  const pkg = await ensureCodeServer(log);
  const root = makeRigDir('vscode');
  const resultFile = path.join(root, 'result.json');
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let engine: Awaited<ReturnType<typeof startEngineWithBaseImage>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const workspace = await makeSampleWorkspace(path.join(root, 'workspace'), 'moby-fork', options.settings ?? TEST_WORKSPACE_SETTINGS);
    const env: NodeJS.ProcessEnv = { DFW_TEST_RESULT_FILE: resultFile };
    if (options.withEngine) {
      engine = await startEngineWithBaseImage(path.join(root, 'engine'), log);
      env.DOCKER_HOST = engine.host;
    }
    server = await startCodeServer(pkg, root, { env });
    log(`code-server ${server.url} (log: ${server.daemon.logFile})`);
    browser = await launchChromium(root);
    const pageErrors: string[] = [];
    browser.page.on('pageerror', (e) => pageErrors.push(String(e)));
    const opened = Date.now();
    await browser.page.goto(testUrl(server, workspace, REPO_ROOT, options.testsPath));
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    while (!fs.existsSync(resultFile)) {
      if (Date.now() > deadline) {
        await browser.page.screenshot({ path: path.join(RESULTS_DIR, 'vscode-timeout.png') }).catch(() => undefined);
        throw new Error(`The extension host did not report test results within ${(options.timeoutMs ?? 180_000) / 1000}s. ` + `code-server log: ${server.daemon.logFile}; page errors: ${pageErrors.slice(0, 5).join(' | ') || 'none'}`);
      }
      if (server.daemon.exited()) throw new Error(`code-server exited during the tests; see ${server.daemon.logFile}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const pageToReportMs = Date.now() - opened;
    const report = { ...(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as HostTestReport), pageToReportMs };
    if (options.screenshot) {
      await new Promise((r) => setTimeout(r, 1500)); // let the view render after the last command
      fs.mkdirSync(path.dirname(options.screenshot), { recursive: true });
      await browser.page.screenshot({ path: options.screenshot });
      log(`screenshot: ${path.relative(REPO_ROOT, options.screenshot)}`);
    }
    fs.writeFileSync(`${resultFile}.seen`, '');
    return report;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await engine?.stop();
    if (process.env.DFW_KEEP_VSCODE_RIG) log(`kept ${root}`);
    else removeRigDir(root);
  }
}

/** Prints a report like mocha's spec reporter and returns the failure count. */
export function printReport(report: HostTestReport): number {
  for (const t of report.passed) process.stdout.write(`  ✔ ${t}\n`);
  for (const t of report.pending) process.stdout.write(`  - ${t}\n`);
  report.failed.forEach((f, i) => process.stdout.write(`  ${i + 1}) ${f.title}\n     ${f.error.split('\n').join('\n     ')}\n`));
  process.stdout.write(`\n  ${report.passed.length} passing (${(report.durationMs / 1000).toFixed(1)}s)\n`);
  if (report.failed.length) process.stdout.write(`  ${report.failed.length} failing\n`);
  return report.failed.length;
}

if (require.main === module) {
  runInCodeServer({ testsPath: path.join(REPO_ROOT, 'out/test/vscode'), withEngine: true, screenshot: path.join(RESULTS_DIR, 'vscode-workbench.png') })
    .then((report) => {
      process.stdout.write('\nVS Code extension host (code-server + Chromium)\n');
      process.exitCode = printReport(report) > 0 || report.passed.length === 0 ? 1 : 0;
    })
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
      process.exitCode = 1;
    });
}
