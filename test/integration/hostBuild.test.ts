import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { BuildEvent } from '../../src/core/build/events';
import { HostRecipe } from '../../src/core/build/recipe';
import { rigProcesses } from '../services/leftovers';
import { currentRig } from './rigHooks';

/** Host-driven eras (bake, docker-ce `make static`) run the repository's own make on this machine. */
describe('host builds (the repository\'s own make, as a child process)', function () {
  this.timeout(60_000);
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-host-'));
    fs.writeFileSync(
      path.join(repo, 'Makefile'),
      ['static:', '\t@echo "---> Making bundle: static-linux"', '\tmkdir -p build/linux', '\tprintf "#!/bin/sh\\necho Docker version 99.0.0, build h0st\\n" > build/linux/dockerd', '\tchmod +x build/linux/dockerd', 'slow:', '\t@echo slow-started', '\tsleep 120 0.$(MARK)',
        // A container that, like a build tool, finishes cleanly on Ctrl-C (SIGINT) and only then.
        'dockerrun:', '\tdocker run --rm --label dfw-host-test=$(MARK) $(IMAGE) sh -c \'trap "echo container-got-sigint; exit 130" INT; echo container-started; while :; do sleep 0.1; done\'',
        'utf8:', '\t@printf "caf\\303"; sleep 0.3; printf "\\251 ok\\n"', ''].join('\n'),
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

  it('cancel stops the containers its docker run started: SIGINT first, which the docker CLI forwards', async () => {
    const mark = `m${process.pid}`;
    const docker = currentRig().docker.client;
    const env = { ...process.env, DOCKER_HOST: currentRig().docker.host, DOCKER_CONTEXT: '' };
    const controller = new AbortController();
    let at = 0;
    let log = '';
    const result = await new BuildRunner().run(recipe('dockerrun', [`MARK=${mark}`, `IMAGE=${currentRig().baseImage}`]), {
      signal: controller.signal,
      engineEnv: { env, homeDir: os.homedir() },
      listener: (e) => {
        if (e.type === 'log') log += e.text;
        if (e.type === 'log' && /^container-started$/m.test(e.text) && !at) {
          at = Date.now();
          controller.abort();
        }
      },
    });
    assert.ok(at, `the container started:\n${log}`);
    assert.strictEqual(result.cancelled, true);
    assert.match(log, /^container-got-sigint$/m);
    assert.ok(Date.now() - at < 10_000, `cancel took ${Date.now() - at} ms`);
    const left = await docker.listContainers({ all: true, filters: { label: [`dfw-host-test=${mark}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    assert.deepStrictEqual(left.map((c) => c.Names), [], 'the container outlived the cancelled build');
  });

  it('decodes UTF-8 characters split across reads of the pipe', async () => {
    let log = '';
    const result = await new BuildRunner().run(recipe('utf8'), { listener: (e) => e.type === 'log' && (log += e.text), engineEnv: { env: process.env, homeDir: os.homedir() } });
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /^café ok$/m);
    assert.ok(!log.includes('\ufffd'));
  });

  it('names the program when it cannot be run', async () => {
    const result = await new BuildRunner().run({ ...recipe('static'), command: ['dfw-no-such-make', 'static'] }, { listener: () => undefined, engineEnv: { env: process.env, homeDir: os.homedir() } });
    assert.match(result.error ?? '', new RegExp(`Cannot run 'dfw-no-such-make' in ${repo}`));
  });
});
