// Runs in the extension host for bench/activation: waits for the extension to
// activate by itself (workspaceContains) and reports its own timings.
import * as vscode from 'vscode';
import type { DockerForkApi } from '../../src/extension';
import { reportToRunner } from '../../test/vscode/hostReport';

export async function run(): Promise<void> {
  const started = Date.now();
  const ext = vscode.extensions.getExtension<DockerForkApi>('docker-fork-workbench.docker-fork-workbench');
  const deadline = Date.now() + 60_000;
  while (ext && !ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!ext?.isActive) {
    await reportToRunner({ passed: [], failed: [{ title: 'activation', error: 'the extension did not activate' }], pending: [], durationMs: Date.now() - started });
    throw new Error('the extension did not activate');
  }
  const waitedMs = Date.now() - started;
  await reportToRunner({
    passed: ['activation probe'],
    failed: [],
    pending: [],
    durationMs: waitedMs,
    metrics: { activateMs: ext.exports.activationMs, bundleLoadToActiveMs: ext.exports.sinceModuleLoadMs },
  });
}
