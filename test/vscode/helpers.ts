import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DockerForkApi } from '../../src/extension';
import type { BuildTargetsNode } from '../../src/views/buildTargetsView';

export const EXTENSION_ID = 'docker-fork-workbench.docker-fork-workbench';

export function extension(): vscode.Extension<DockerForkApi> {
  const ext = vscode.extensions.getExtension<DockerForkApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

/** The extension's API, once it has activated by itself (workspaceContains). */
export async function api(): Promise<DockerForkApi> {
  await until('activation', () => extension().isActive);
  return extension().exports;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type TargetNode = Extract<BuildTargetsNode, { type: 'target' }>;

/** The Build Targets view's top level (one repository: its targets and settings problems). */
export async function buildTargetNodes(): Promise<BuildTargetsNode[]> {
  return (await api()).ui.buildTargets.getChildren();
}

export async function targetNodes(): Promise<TargetNode[]> {
  return (await buildTargetNodes()).filter((n): n is TargetNode => n.type === 'target');
}

export const workspaceRoot = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/** Where the first window leaves what its Build Targets view showed, for the window after the reload to compare. */
export function sessionFile(): string | undefined {
  return process.env.DFW_TEST_RESULT_FILE && `${process.env.DFW_TEST_RESULT_FILE}.session.json`;
}

export interface SessionSnapshot {
  /** The extension host's process: a reload gives a new one. */
  readonly pid: number;
  readonly targets: Array<{ id: string; result?: string; startedAt?: number; artifacts: string[] }>;
}

export async function snapshotBuildTargets(): Promise<SessionSnapshot> {
  return {
    pid: process.pid,
    targets: (await targetNodes()).map((n) => ({ id: n.recipe.id, result: n.last?.result, startedAt: n.last?.startedAt, artifacts: (n.last?.artifacts ?? []).map((a) => a.relativePath) })),
  };
}

/**
 * The exit code of the next run of the task named `name` that starts from
 * now on: a run that started before (a previous test's, ending late) is not
 * taken for it.
 */
export function exitCodeOfTask(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const started = new Set<vscode.TaskExecution>();
    const onStart = vscode.tasks.onDidStartTask((e) => {
      if (e.execution.task.name === name) started.add(e.execution);
    });
    const onEnd = vscode.tasks.onDidEndTaskProcess((e) => {
      if (!started.has(e.execution)) return;
      onStart.dispose();
      onEnd.dispose();
      resolve(e.exitCode);
    });
  });
}
