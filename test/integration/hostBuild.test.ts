import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { BuildEvent } from '../../src/core/build/events';
import { HostRecipe } from '../../src/core/build/recipe';
import { rigProcesses } from '../services/leftovers';

/** Host-driven eras (bake, docker-ce `make static`) run the repository's own make on this machine. */
describe('host builds (the repository\'s own make, as a child process)', function () {
  this.timeout(60_000);
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-host-'));
    fs.writeFileSync(
      path.join(repo, 'Makefile'),
      ['static:', '\t@echo "---> Making bundle: static-linux"', '\tmkdir -p build/linux', '\tprintf "#!/bin/sh\\necho Docker version 99.0.0, build h0st\\n" > build/linux/dockerd', '\tchmod +x build/linux/dockerd', 'slow:', '\t@echo slow-started', '\tsleep 120 0.$(MARK)', ''].join('\n'),
    );
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  const recipe = (target: string, extra: string[] = []): HostRecipe => ({
    id: target, label: target, description: '', repoRoot: repo, executor: 'host', command: ['make', target, ...extra], cwd: '.', env: {}, artifacts: ['build/linux'],
  });

  it('runs make through the same pipeline: output, progress, artifacts with versions', async () => {
    const events: BuildEvent[] = [];
    const result = await new BuildRunner().run(recipe('static'), { listener: (e) => events.push(e), engineEnv: { env: process.env, homeDir: os.homedir() } });
    assert.strictEqual(result.exitCode, 0);
    assert.ok(events.some((e) => e.type === 'progress' && e.progress.label === 'Making bundle: static-linux'));
    assert.deepStrictEqual(result.artifacts.map((a) => [a.relativePath, a.version]), [['build/linux/dockerd', 'Docker version 99.0.0, build h0st']]);
  });

  it('cancel kills the whole process tree (make and its sleep) within 10 s', async () => {
    // sleep sums its arguments, so the marker rides on sleep's own command line.
    const mark = `9${process.pid}`;
    const controller = new AbortController();
    let at = 0;
    const result = await new BuildRunner().run(recipe('slow', [`MARK=${mark}`]), {
      signal: controller.signal,
      engineEnv: { env: process.env, homeDir: os.homedir() },
      listener: (e) => {
        if (e.type === 'log' && e.text.includes('slow-started') && !at) {
          at = Date.now();
          setTimeout(() => controller.abort(), 200);
        }
      },
    });
    assert.strictEqual(result.cancelled, true);
    assert.ok(Date.now() - at < 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepStrictEqual(rigProcesses(`sleep 120 0.${mark}`), [], 'sleep survived the cancel');
    assert.deepStrictEqual(rigProcesses(`MARK=${mark}`), [], 'make survived the cancel');
  });

  it('names the program when it cannot be run', async () => {
    const result = await new BuildRunner().run({ ...recipe('static'), command: ['dfw-no-such-make', 'static'] }, { listener: () => undefined, engineEnv: { env: process.env, homeDir: os.homedir() } });
    assert.match(result.error ?? '', new RegExp(`Cannot run 'dfw-no-such-make' in ${repo}`));
  });
});
