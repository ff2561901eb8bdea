import * as fs from 'fs';
import * as path from 'path';
import { cacheDir } from '../services/baseImage';
import { findBinary } from '../services/preflight';
import { run } from '../services/processes';

/** The newest code-server whose engines.node is 20 (VS Code 1.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';

/** Native modules of VS Code's server that must be compiled for this Node. */
const NATIVE_MODULES = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog'];

/**
 * Installs code-server from npm into the cache once and returns its package
 * directory. Its postinstall script refuses to run as root under npm 11 and
 * downloads ripgrep from the internet, so its steps are done here instead:
 * dependencies without scripts, Debian's rg, native rebuilds, and the links.
 */
export async function ensureCodeServer(log: (line: string) => void): Promise<string> {
  const prefix = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const pkg = path.join(prefix, 'node_modules', 'code-server');
  const done = path.join(prefix, '.dfw-installed');
  if (fs.existsSync(done)) return pkg;
  const rg = findBinary('rg');
  if (!rg) throw new Error("code-server needs ripgrep: install it with 'sudo apt-get install -y ripgrep' (npm test's bootstrap does this).");
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${prefix} (a few minutes, once)...`);
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.mkdirSync(prefix, { recursive: true });
  const env = { ...process.env, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npm = (cwd: string, ...args: string[]) => run('npm', args, { cwd, env, timeoutMs: 20 * 60_000 });
  fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n');
  await npm(prefix, 'install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`);
  const vscodeDir = path.join(pkg, 'lib', 'vscode');
  await npm(vscodeDir, 'install', '--omit=dev', '--ignore-scripts');
  const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgDir, { recursive: true });
  fs.copyFileSync(rg, path.join(rgDir, 'rg'));
  fs.chmodSync(path.join(rgDir, 'rg'), 0o755);
  await npm(vscodeDir, 'rebuild', ...NATIVE_MODULES);
  const link = (target: string, at: string) => {
    fs.rmSync(at, { recursive: true, force: true });
    fs.symlinkSync(target, at);
  };
  link('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  await npm(path.join(vscodeDir, 'extensions'), 'install', '--omit=dev', '--ignore-scripts');
  await npm(prefix, 'rebuild', 'argon2'); // hoisted to the prefix's node_modules
  fs.writeFileSync(done, new Date().toISOString() + '\n');
  log('code-server installed.');
  return pkg;
}
