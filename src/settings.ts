import * as vscode from 'vscode';
import { BuildSettings, fromValues } from './core/repo/workspaceSettings';

/** Every `dockerFork.*` setting, typed and validated in one place. */
export interface Settings {
  readonly repository: { readonly searchDepth: number };
  /** Environment for engine connections and builds; empty until the workspace is trusted. */
  readonly environment: Readonly<Record<string, string>>;
}

export const SETTINGS_SECTION = 'dockerFork';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const depth = c.get<number>('repository.searchDepth', 1);
  const env = vscode.workspace.isTrusted ? c.get<Record<string, unknown>>('environment', {}) : {};
  return {
    repository: { searchDepth: Number.isInteger(depth) ? Math.min(3, Math.max(0, depth)) : 1 },
    environment: Object.fromEntries(Object.entries(env ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

/**
 * Targets and overrides, the same shape the CLI reads from
 * .vscode/settings.json. Read apart from readSettings because it validates:
 * a malformed target must only affect the target list, never detection.
 */
export function readBuildSettings(scope?: vscode.ConfigurationScope): BuildSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return fromValues({ targets: c.get('targets'), privileged: c.get('build.privileged'), image: c.get('build.image') }, 'Docker Fork settings (dockerFork.targets)');
}

/** Fires `listener` when any setting under `dockerFork.<key>` changes. */
export function onSettingChanged(key: string, listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`)) listener();
  });
}
