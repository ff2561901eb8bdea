import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LABEL_BUILD } from '../../src/core/build/executor';
import { makeSampleWorkspace } from '../runners/workspace';
import { currentRig } from './rigHooks';

const BIN = path.resolve(__dirname, '../../../bin/dockerfork.js');

/** Runs the installed-style CLI (bundle) and collects its output; `onOut` may act on it (send Ctrl-C). */
function dockerfork(args: string[], env: NodeJS.ProcessEnv, onOut?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      onOut?.(out, child);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, out, err, ms: Date.now() - started }));
  });
}

describe('dockerfork build (the bundled CLI) on the private engine', function () {
  this.timeout(180_000);
  let work: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-cli-'));
    repo = await makeSampleWorkspace(work);
    fs.mkdirSync(path.join(repo, '.vscode'));
    fs.writeFileSync(
      path.join(repo, '.vscode/settings.json'),
      JSON.stringify({
        'dockerFork.targets': [
          // Ignores SIGINT, as any PID 1 without a handler does: only the kill after the grace stops it.
          { id: 'slow', command: ['sh', '-c', 'echo build-started; sleep 120'], image: 'docker-dev:moby-fork' },
          // Handles SIGINT, as make does: Ctrl-C must reach it as it would through docker run.
          { id: 'polite', command: ['sh', '-c', 'trap "echo got-sigint; exit 130" INT; echo build-started; while :; do sleep 0.1; done'], image: 'docker-dev:moby-fork' },
        ],
      }),
    );
    env = { ...process.env, DOCKER_HOST: currentRig().docker.host, DOCKER_CONTEXT: '' };
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('--json prints one event per line, artifacts before done, and exits with the build\'s code', async () => {
    const r = await dockerfork(['build', 'binary', '--cwd', repo, '--no-privileged', '--json'], env);
    assert.strictEqual(r.code, 0, r.err + r.out);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const types = new Set(events.map((e) => e.type));
    assert.deepStrictEqual([...types].sort(), ['artifact', 'done', 'log', 'progress']);
    assert.strictEqual(events.at(-1).type, 'done');
    assert.strictEqual(events.at(-1).result.exitCode, 0);
    const firstArtifact = events.findIndex((e) => e.type === 'artifact');
    assert.ok(firstArtifact > 0 && firstArtifact < events.length - 1);
    assert.ok(events.some((e) => e.type === 'progress' && e.progress.label === 'Making bundle: binary'));
  });

  it('exits 1 and says why when the target fails, and when the engine is not there', async () => {
    const failing = await dockerfork(['build', 'binary', '--cwd', repo, '--image', 'absent:image'], env);
    assert.strictEqual(failing.code, 1);
    assert.match(failing.out, /Image 'absent:image' does not exist in the engine/);
    const dead = await dockerfork(['build', '--cwd', repo, '--no-privileged'], { ...env, DOCKER_HOST: `unix://${work}/none.sock` });
    assert.strictEqual(dead.code, 1);
    assert.match(dead.out, /Cannot reach the Docker engine at unix:\/\/.*none\.sock/);
  });

  it('Ctrl-C cancels cleanly: exit 130 within 10 s and no build container left', async () => {
    let sentAt = 0;
    const r = await dockerfork(['build', 'slow', '--cwd', repo], env, (out, child) => {
      // The output line, not the echo of the command (which once sent Ctrl-C between create and start).
      if (!sentAt && /^build-started$/m.test(out)) {
        sentAt = Date.now();
        child.kill('SIGINT');
      }
    });
    assert.ok(sentAt, 'the build started');
    assert.strictEqual(r.code, 130, r.out + r.err);
    assert.ok(Date.now() - sentAt < 10_000);
    assert.match(r.out, /Build cancelled\./);
    const left = await currentRig().docker.client.listContainers({ all: true, filters: { label: [LABEL_BUILD] } });
    assert.strictEqual(left.length, 0);
  });

  it('Ctrl-C reaches the build as SIGINT, as through docker run, and its handler\'s output is printed', async () => {
    let sentAt = 0;
    const r = await dockerfork(['build', 'polite', '--cwd', repo], env, (out, child) => {
      if (!sentAt && /^build-started$/m.test(out)) {
        sentAt = Date.now();
        child.kill('SIGINT');
      }
    });
    assert.strictEqual(r.code, 130, r.out + r.err);
    assert.match(r.out, /^got-sigint$/m);
    assert.ok(Date.now() - sentAt < 5000, `took ${Date.now() - sentAt} ms`);
  });

  it('cache lists the repository\'s build cache volumes and clears them', async () => {
    const listed = await dockerfork(['cache', 'list', '--cwd', repo], env);
    assert.strictEqual(listed.code, 0, listed.err);
    assert.match(listed.out, /^dockerfork-go-build-[0-9a-f]{12} {2}go-build +docker-dev:moby-fork/m);
    assert.match(listed.out, /^dockerfork-go-mod-[0-9a-f]{12} {2}go-mod +docker-dev:moby-fork/m);
    const cleared = await dockerfork(['cache', 'clear', '--cwd', repo], env);
    assert.strictEqual(cleared.code, 0, cleared.err);
    assert.match(cleared.out, /Removed 2 build cache volume\(s\) of /);
    const after = await dockerfork(['cache', '--cwd', repo], env);
    assert.match(after.out, /No build caches for /);
    const wrong = await dockerfork(['cache', 'purge', '--cwd', repo], env);
    assert.strictEqual(wrong.code, 2);
    assert.match(wrong.err, /unknown cache action 'purge' \(list or clear\)/);
  });
});
