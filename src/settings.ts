import * as vscode from 'vscode';
import { isBuilderChoice } from './core/build/recipe';
import type { BuildSettings } from './core/repo/workspaceSettings';

/** Every `dockerFork.*` setting, typed and validated in one place. */
export interface Settings {
  readonly repository: { readonly searchDepth: number };
  /** Environment for engine connections and builds; empty until the workspace is trusted. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Raw `dockerFork.machines.sshHosts` entries, checked one by one by
   * core/machines/sshHosts.ts (as the CLI's are); empty until the workspace
   * is trusted, since they choose where deploys connect.
   */
  readonly machines: { readonly sshHosts: readonly unknown[] };
  /**
   * `dockerFork.deploy.*`: how deploys install and restart (what the CLI
   * takes as --mode, --dest, --restart, --daemon-host, --remote-state-dir).
   * Undefined: the core's defaults. Empty until the workspace is trusted.
   */
  readonly deploy: DeploySettings;
}

export interface DeploySettings {
  readonly mode?: 'replace' | 'dropin';
  /** Absolute path on the machine. */
  readonly dest?: string;
  readonly restartCommand?: string;
  readonly daemonHost?: string;
  /** Absolute path on the machine. */
  readonly remoteStateDir?: string;
}

export const SETTINGS_SECTION = 'dockerFork';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const depth = c.get<number>('repository.searchDepth', 1);
  const env = vscode.workspace.isTrusted ? c.get<Record<string, unknown>>('environment', {}) : {};
  const sshHosts = vscode.workspace.isTrusted ? c.get<unknown>('machines.sshHosts', []) : [];
  return {
    deploy: vscode.workspace.isTrusted ? readDeploySettings(c) : {},
    repository: { searchDepth: Number.isInteger(depth) ? Math.min(3, Math.max(0, depth)) : 1 },
    environment: Object.fromEntries(Object.entries(env ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    machines: { sshHosts: Array.isArray(sshHosts) ? sshHosts : [] },
  };
}

/** Empty strings and values of the wrong kind count as unset; paths on the machine must be absolute. */
function readDeploySettings(c: vscode.WorkspaceConfiguration): DeploySettings {
  const text = (key: string) => {
    const v = c.get<unknown>(`deploy.${key}`);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const absolute = (key: string) => {
    const v = text(key);
    return v?.startsWith('/') ? v : undefined;
  };
  const mode = text('mode');
  return {
    mode: mode === 'replace' || mode === 'dropin' ? mode : undefined,
    dest: absolute('dest'),
    restartCommand: text('restartCommand'),
    daemonHost: text('daemonHost'),
    remoteStateDir: absolute('remoteStateDir'),
  };
}

// Build settings (dockerFork.targets, dockerFork.build.*) are read from the
// repository's own .vscode/settings.json through the core reader
// (readWorkspaceBuildSettings; buildSettingsFile says why), by the editor and
// the CLI alike, so a repository nested in a workspace folder builds the same
// in both, and a broken file gets the same message with the same file and line.

/**
 * The machine facts among the build settings (privileged containers refused
 * here, which builder to use) as set in the user's settings: the editor uses
 * them where the repository's file is silent.
 */
export function userBuildDefaults(): Pick<BuildSettings, 'privileged' | 'builder'> {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const privileged = c.inspect<boolean | null>('build.privileged')?.globalValue;
  const builder = c.inspect<string>('build.builder')?.globalValue;
  return { privileged: typeof privileged === 'boolean' ? privileged : undefined, builder: isBuilderChoice(builder) ? builder : undefined };
}

/** Fires `listener` when any setting under `dockerFork.<key>` changes. */
export function onSettingChanged(key: string, listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`)) listener();
  });
}
