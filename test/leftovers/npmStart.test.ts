// `npm start` (out/scripts/start.js) with no engine answering: it starts a
// private Docker engine and code-server, serves VS Code, and on SIGTERM to
// its own process stops both, says so, and leaves the host as it found it.
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { cacheDir } from '../services/baseImage';
import { diffHostStates, takeHostState } from '../services/hostState';
import { freePort } from '../services/processes';
import { CODE_SERVER_VERSION } from '../runners/codeServerInstall';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const START = path.join(REPO_ROOT, 'out/scripts/start.js');
const VSIX = path.join(REPO_ROOT, 'dist/docker-fork-workbench.vsix');

interface Proc {
  pid: number;
  startTime: string;
  cmdline: string;
}

function proc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, startTime: fields[19], cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() };
  } catch {
    return undefined; // gone
  }
}

/** Every process whose command line mentions one of `markers`, or that descends from `root`. */
function processesOf(root: number, markers: string[]): Proc[] {
  const all = fs.readdirSync('/proc').map(Number).filter((p) => Number.isInteger(p) && p !== process.pid);
  const parent = new Map<number, number>();
  for (const p of all) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(p, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const descends = (p: number): boolean => {
    for (let q: number | undefined = p, hops = 0; q && hops < 64; q = parent.get(q), hops++) if (q === root) return true;
    return false;
  };
  return all.map(proc).filter((p): p is Proc => !!p && (descends(p.pid) || markers.some((m) => p.cmdline.includes(m))));
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
  });
}

/** Resolves with the first stdout line matching `re`, or rejects when the process exits or time runs out. */
function waitForLine(child: ChildProcess, output: { text: string }, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no line matching ${re} after ${timeoutMs / 1000}s; output:\n${output.text}`)), timeoutMs);
    const check = () => {
      const m = re.exec(output.text);
      if (m) finish(undefined, m[0]);
    };
    const exited = () => finish(new Error(`npm start exited before printing ${re}; output:\n${output.text}`));
    const finish = (err?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', exited);
      if (err) reject(err);
      else resolve(line!);
    };
    child.stdout!.on('data', check);
    child.once('exit', exited);
    check();
  });
}

describe('npm start stops on SIGTERM to its own process and leaves the host as it found it', function () {
  this.timeout(10 * 60_000);

  it('serves VS Code with a private engine, then stops both, says so, and leaves nothing behind', async function () {
    // It needs what earlier layers provide: the .vsix (package layer) and code-server (vscode layer).
    const codeServer = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, '.dfw-installed');
    if (process.getuid?.() !== 0 || !fs.existsSync(START) || !fs.existsSync(VSIX) || !fs.existsSync(codeServer)) {
      process.stderr.write(`npm start test skipped: needs root, ${START}, ${VSIX} (npm run package) and ${codeServer} (the vscode layer).\n`);
      this.skip();
    }
    const before = takeHostState();
    const port = await freePort();
    // A DOCKER_HOST that does not answer: npm start must start its private engine.
    const env = { ...process.env, PORT: String(port), DOCKER_HOST: `unix://${path.join(REPO_ROOT, 'out', 'no-engine-here.sock')}` };
    const child = spawn(process.execPath, [START], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (output.text += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output.text += d.toString('utf8')));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const markers = ['/tmp/dfw-start-', path.join(cacheDir(), 'start-vscode')];
    let seen: Proc[];
    try {
      const url = await waitForLine(child, output, new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?folder=\\S+`), 8 * 60_000);
      assert.match(output.text, /Docker engine: unix:\/\/\/tmp\/dfw-start-\S+ \(private/);
      assert.strictEqual(await httpStatus(url), 200);
      seen = processesOf(child.pid!, markers);
      assert.ok(seen.some((p) => /dockerd/.test(p.cmdline)) && seen.some((p) => /code-server|entry\.js/.test(p.cmdline)), `dockerd and code-server not found among:\n${seen.map((p) => p.cmdline).join('\n')}`);
      // Its own process only, as a service manager or `kill PID` sends it: not the group.
      process.kill(child.pid!, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`npm start still running 90s after SIGTERM; output:\n${output.text}`)), 90_000)));
      const { code } = await Promise.race([exit, late]).finally(() => clearTimeout(timer));
      assert.strictEqual(code, 143, output.text);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    assert.match(output.text, /SIGTERM: stopping .*code-server.*/);
    assert.match(output.text, /Stopping code-server \(pid \d+/);
    assert.match(output.text, /Stopping the private Docker engine \(dockerd pid \d+/);
    const left = [...seen.filter((p) => proc(p.pid)?.startTime === p.startTime), ...processesOf(-1, markers)];
    assert.deepStrictEqual(left.map((p) => p.cmdline), [], 'processes npm start left running');
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => markers.some((m) => l.includes(m)) || l.includes('start-engine-data'));
    assert.deepStrictEqual(mounts, [], 'mounts npm start left');
    const engineRoot = /Docker engine: unix:\/\/(\/tmp\/dfw-start-[^/\s]+)/.exec(output.text)![1];
    assert.ok(!fs.existsSync(engineRoot), `${engineRoot} was not removed`);
    const changes = diffHostStates(before, takeHostState());
    assert.deepStrictEqual(changes, [], `npm start changed the host:\n${changes.join('\n')}`);
  });
});
