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
  /**
   * Tests to run after the first ones in a reloaded window: the same page is
   * navigated to a new workbench URL, so VS Code starts a new extension host
   * on the same workspace and user data, as a window reload does.
   */
  afterReloadTestsPath?: string;
  /**
   * Open the folder above the sample fork, so the repository is nested in the
   * workspace folder; that folder gets settings of its own (NESTING_FOLDER_SETTINGS)
   * that must not apply to the repository.
   */
  nested?: boolean;
  /** false: enforce workspace trust (code-server runs without --disable-workspace-trust), so the workspace opens in Restricted Mode. */
  trust?: boolean;
}

/** The workspace folder's own settings when the fork is nested in it: build settings that the repository must not pick up. */
export const NESTING_FOLDER_SETTINGS = {
  'dockerFork.targets': [{ id: 'from-the-folder', command: ['true'] }],
  'dockerFork.build.image': 'not-this-image:latest',
};

/** Starts code-server and Chromium, runs the tests module in the extension host, and always cleans up. */
export async function runInCodeServer(options: HostRunOptions): Promise<HostTestReport & { pageToReportMs: number }> {
  const pkg = await ensureCodeServer(log);
  const root = makeRigDir('vscode');
  const resultFile = path.join(root, 'result.json');
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let engine: Awaited<ReturnType<typeof startEngineWithBaseImage>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const fork = await makeSampleWorkspace(path.join(root, 'workspace'), 'moby-fork', options.settings ?? TEST_WORKSPACE_SETTINGS);
    const workspace = options.nested ? path.dirname(fork) : fork;
    if (options.nested) {
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(NESTING_FOLDER_SETTINGS, null, 2));
    }
    // Pinned host keys and deploy records (core/stateDir) of this run only, never the user's.
    const env: NodeJS.ProcessEnv = { DFW_TEST_RESULT_FILE: resultFile, DFW_STATE_DIR: path.join(root, 'state') };
    if (options.withEngine) {
      engine = await startEngineWithBaseImage(path.join(root, 'engine'), log);
      env.DOCKER_HOST = engine.host;
    }
    server = await startCodeServer(pkg, root, { env, trust: options.trust });
    log(`code-server ${server.url} (log: ${server.daemon.logFile})`);
    browser = await launchChromium(root);
    const pageErrors: string[] = [];
    browser.page.on('pageerror', (e) => pageErrors.push(String(e)));
    // The workbench's own console (errors and warnings), for when a run hangs: see DFW_KEEP_VSCODE_RIG.
    const consoleLog = fs.createWriteStream(path.join(root, 'browser-console.log'));
    browser.page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && consoleLog.write(`${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
    const opened = Date.now();
    const waitForReport = async (what: string): Promise<HostTestReport> => {
      const deadline = Date.now() + (options.timeoutMs ?? 180_000);
      while (!fs.existsSync(resultFile)) {
        if (Date.now() > deadline) {
          await browser!.page.screenshot({ path: path.join(RESULTS_DIR, 'vscode-timeout.png') }).catch(() => undefined);
          throw new Error(`The extension host did not report ${what} within ${(options.timeoutMs ?? 180_000) / 1000}s. ` + `code-server log: ${server!.daemon.logFile}; page errors: ${pageErrors.slice(0, 5).join(' | ') || 'none'}`);
        }
        if (server!.daemon.exited()) throw new Error(`code-server exited during the tests; see ${server!.daemon.logFile}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as HostTestReport;
    };
    await browser.page.goto(testUrl(server, workspace, REPO_ROOT, options.testsPath));
    const first = await waitForReport('test results');
    const pageToReportMs = Date.now() - opened;
    const report = { ...first, pageToReportMs };
    if (options.screenshot) {
      await new Promise((r) => setTimeout(r, 1500)); // let the view render after the last command
      fs.mkdirSync(path.dirname(options.screenshot), { recursive: true });
      await browser.page.screenshot({ path: options.screenshot });
      log(`screenshot: ${path.relative(REPO_ROOT, options.screenshot)}`);
    }
    fs.writeFileSync(`${resultFile}.seen`, '');
    if (options.afterReloadTestsPath) {
      // Let the first host finish its run(), then load a new workbench: a new extension host.
      await new Promise((r) => setTimeout(r, 1000));
      fs.rmSync(resultFile, { force: true });
      fs.rmSync(`${resultFile}.seen`, { force: true });
      const page = browser.page.isClosed() ? await browser.page.context().newPage() : browser.page;
      await page.goto(testUrl(server, workspace, REPO_ROOT, options.afterReloadTestsPath));
      const second = await waitForReport('the after-reload test results');
      fs.writeFileSync(`${resultFile}.seen`, '');
      const tag = (t: string) => `after a reload: ${t}`;
      report.passed.push(...second.passed.map(tag));
      report.failed.push(...second.failed.map((f) => ({ ...f, title: tag(f.title) })));
      report.pending.push(...second.pending.map(tag));
      report.durationMs += second.durationMs;
    }
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

/**
 * The suite in a trusted workspace (builds on a private engine, then the same
 * workspace read back after a reload), and the Restricted Mode suite in a
 * second code-server that enforces workspace trust. DFW_VSCODE_SUITES=main or
 * =restricted runs one of them.
 */
async function runAll(): Promise<number> {
  const only = process.env.DFW_VSCODE_SUITES;
  let failures = 0;
  let passed = 0;
  if (!only || only === 'main') {
    const report = await runInCodeServer({
      testsPath: path.join(REPO_ROOT, 'out/test/vscode'),
      afterReloadTestsPath: path.join(REPO_ROOT, 'out/test/vscode/reload'),
      withEngine: true,
      screenshot: path.join(RESULTS_DIR, 'vscode-workbench.png'),
    });
    process.stdout.write('\nVS Code extension host (code-server + Chromium), trusted workspace\n');
    failures += printReport(report);
    passed += report.passed.length;
  }
  if (!only || only === 'restricted') {
    // No engine: a build that got through would fail anyway, but the tests assert that none starts.
    // The fork is nested in the workspace folder, which also shows which settings file the editor reads.
    const report = await runInCodeServer({ testsPath: path.join(REPO_ROOT, 'out/test/vscode/restricted'), trust: false, nested: true, timeoutMs: 120_000 });
    process.stdout.write('\nVS Code extension host in Restricted Mode (workspace trust enforced, workspace not trusted)\n');
    failures += printReport(report);
    passed += report.passed.length;
  }
  return failures > 0 || passed === 0 ? 1 : 0;
}

if (require.main === module) {
  runAll()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
      process.exitCode = 1;
    });
}
