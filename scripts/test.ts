// `npm test`: runs the test layers in order, each as its own process, and
// always finishes with the leftovers check. Usage: node out/scripts/test.js [layer...]
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_BASELINE_ENV, HostBaseline, releaseBaseline, takeBaseline } from '../test/services/hostState';

const REPO_ROOT = path.resolve(__dirname, '../..');
const MOCHA = path.join(REPO_ROOT, 'node_modules/mocha/bin/mocha.js');
const out = (p: string) => path.join(REPO_ROOT, 'out', p);

interface Layer {
  readonly name: string;
  readonly describe: string;
  readonly argv: string[];
  /** A command run first (argv), whose failure fails the layer. */
  readonly prepare?: string[];
}

function vscodeRunner(): string[] {
  // @vscode/test-electron where a VS Code build is at hand; code-server otherwise.
  const electron = process.env.VSCODE_EXECUTABLE_PATH || process.env.DFW_VSCODE_RUNNER === 'electron';
  return [out(electron ? 'test/runners/electron.js' : 'test/runners/codeServer.js')];
}

const LAYERS: Record<string, () => Layer> = {
  unit: () => ({
    name: 'unit',
    describe: 'ESLint, then core under plain Node',
    // Lint first: a finding fails the layer, as a failing test would.
    prepare: [process.execPath, path.join(REPO_ROOT, 'node_modules/eslint/bin/eslint.js'), '--max-warnings=0', REPO_ROOT],
    argv: [MOCHA, out('test/unit/**/*.test.js')],
  }),
  integration: () => ({
    name: 'integration',
    describe: 'core against a private Docker engine, sshd and git daemon',
    argv: [MOCHA, '--require', out('test/integration/rigHooks.js'), out('test/integration/**/*.test.js')],
  }),
  vscode: () => ({ name: 'vscode', describe: 'the extension in a real VS Code extension host', argv: vscodeRunner() }),
  package: () => ({
    name: 'package',
    describe: 'the .vsix from npm run package',
    prepare: ['npm', 'run', '--silent', 'package'],
    argv: [MOCHA, out('test/package/**/*.test.js')],
  }),
  leftovers: () => ({ name: 'leftovers', describe: "nothing left running, the host's network and SSH/Docker configuration unchanged", argv: [MOCHA, out('test/leftovers/**/*.test.js')] }),
};

interface Outcome {
  layer: string;
  passed: number;
  failed: number;
  pending: number;
  exitCode: number;
  seconds: number;
}

/** The layer running now, and whether a signal asked npm test to stop. */
let current: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The layer stops its own services on the signal; then main() restores
    // the host. A terminal's Ctrl-C already reached the layer (same process
    // group); a SIGTERM sent to this process alone did not.
    interrupted = signal;
    if (signal === 'SIGTERM') current?.kill(signal);
  });
}

async function runLayer(layer: Layer, env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  process.stdout.write(`\n=== ${layer.name}: ${layer.describe}\n`);
  const started = Date.now();
  if (layer.prepare) {
    const code = await new Promise<number>((resolve) =>
      spawn(layer.prepare![0], layer.prepare!.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] }).on('close', (c) => resolve(c ?? 1)),
    );
    if (code !== 0) return { layer: layer.name, passed: 0, failed: 1, pending: 0, exitCode: code, seconds: (Date.now() - started) / 1000 };
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, layer.argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    current = child;
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      text += d.toString('utf8');
    });
    child.on('close', (code, signal) => {
      const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
      resolve({
        layer: layer.name,
        passed: count(/(\d+) passing/),
        failed: count(/(\d+) failing/),
        pending: count(/(\d+) pending/),
        exitCode: code ?? (signal ? 1 : 0),
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  for (const r of requested) if (!LAYERS[r]) throw new Error(`unknown test layer '${r}'; layers: ${Object.keys(LAYERS).join(', ')}`);
  const names = requested.length ? requested : ['unit', 'integration', 'vscode', 'package'];
  const outcomes: Outcome[] = [];
  const checkLeftovers = names.length > 1 || names[0] === 'integration' || names[0] === 'vscode';
  // Before the first layer: the host's network and the user's SSH and Docker
  // configuration, for the leftovers layer to compare with.
  const baselineDir = checkLeftovers ? fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-host-baseline-')) : undefined;
  let baseline: HostBaseline | undefined;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const leftoversEnv = { ...process.env };
    if (baselineDir) {
      baseline = takeBaseline(say);
      const file = path.join(baselineDir, 'host-baseline.json');
      fs.writeFileSync(file, JSON.stringify(baseline));
      leftoversEnv[HOST_BASELINE_ENV] = file;
    }
    for (const name of names) if (!interrupted) outcomes.push(await runLayer(LAYERS[name]()));
    // Even when a layer failed: did it leave anything running or changed?
    if (checkLeftovers && !interrupted) outcomes.push(await runLayer(LAYERS.leftovers(), leftoversEnv));
  } finally {
    if (baseline) releaseBaseline(baseline, say);
    if (baselineDir) fs.rmSync(baselineDir, { recursive: true, force: true });
  }
  process.stdout.write('\n=== summary\n');
  for (const o of outcomes) {
    const status = o.exitCode === 0 ? 'ok' : `FAILED (exit ${o.exitCode})`;
    process.stdout.write(`${o.layer.padEnd(12)} ${String(o.passed).padStart(4)} passed ${String(o.failed).padStart(3)} failed  ${o.seconds.toFixed(0).padStart(4)}s  ${status}\n`);
  }
  if (interrupted) process.stdout.write(`stopped by ${interrupted}\n`);
  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  // A layer that died without mocha's summary still counts as a failure.
  const failed = outcomes.reduce((n, o) => n + (o.failed || (o.exitCode !== 0 ? 1 : 0)), 0);
  const skipped = outcomes.reduce((n, o) => n + o.pending, 0);
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failed > 0 || passed === 0 || interrupted ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 2;
  },
);
