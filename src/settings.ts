import * as vscode from 'vscode';

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

// Build settings (dockerFork.targets, dockerFork.build.privileged,
// dockerFork.build.image) are not read here: the editor and the CLI both read
// them from the repository's own .vscode/settings.json through the core
// reader (readWorkspaceBuildSettings; buildSettingsFile says why), so a
// repository nested in a workspace folder builds the same in both, and a
// broken file gets the same message with the same file and line.

/** Fires `listener` when any setting under `dockerFork.<key>` changes. */
export function onSettingChanged(key: string, listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`)) listener();
  });
}
