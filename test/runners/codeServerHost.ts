import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Daemon, freePort, startDaemon, waitUntil } from '../services/processes';

/** A running code-server: the real VS Code server and workbench, on 127.0.0.1. */
export interface CodeServer {
  readonly port: number;
  readonly url: string;
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'git.openRepositoryInParentFolders': 'never',
};

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/**
 * code-server writes a config.yaml to $XDG_CONFIG_HOME/code-server and logs to
 * $XDG_DATA_HOME/code-server (~/.config, ~/.local/share) even with its own
 * user data dir: these keep every run of it, the CLI too, under `root`.
 */
export function codeServerEnv(root: string): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: path.join(root, 'xdg-config'), XDG_DATA_HOME: path.join(root, 'xdg-data') };
}

/** Starts code-server with its own user data and extensions dirs under `root`. */
export async function startCodeServer(
  codeServerPkg: string,
  root: string,
  options: { env?: NodeJS.ProcessEnv; port?: number; extraArgs?: string[]; trust?: boolean } = {},
): Promise<CodeServer> {
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const port = options.port ?? (await freePort());
  const args = [
    path.join(codeServerPkg, 'out', 'node', 'entry.js'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(options.trust === false ? [] : ['--disable-workspace-trust']),
    ...(options.extraArgs ?? []),
  ];
  const daemon = startDaemon('code-server', process.execPath, args, path.join(root, 'code-server.log'), { ...process.env, ...codeServerEnv(root), ...options.env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(`${url}/healthz`, () => httpOk(`${url}/healthz`), daemon, 60_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return { port, url, daemon, stop: () => daemon.stop(10_000) };
}

/** The workbench URL that loads an extension under development and runs its tests, as test-electron does. */
export function testUrl(server: CodeServer, folder: string, extensionDevelopmentPath: string, extensionTestsPath?: string): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload: Array<[string, string]> = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
