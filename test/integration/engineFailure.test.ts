import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { BuildEvent } from '../../src/core/build/events';
import { applyOverrides, BuildRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets } from '../../src/core/repo/targets';
import { makeSampleWorkspace } from '../runners/workspace';
import { startEngineWithBaseImage } from '../services/engineWithBaseImage';
import { makeRigDir, removeRigDir } from '../services/tempRoot';

describe('a Docker daemon that dies mid-build', function () {
  this.timeout(180_000);

  it('ends the build with a message naming the engine instead of hanging', async () => {
    // An engine of its own: this test kills it.
    const root = makeRigDir('dying');
    const engine = await startEngineWithBaseImage(path.join(root, 'engine'), () => undefined);
    try {
      const repoRoot = await makeSampleWorkspace(root);
      const detected = (await listTargets((await detectRepository(repoRoot))!))[0];
      const slow = { ...applyOverrides(detected, { privileged: false }), command: ['sh', '-c', 'echo build-started; sleep 300'] } as BuildRecipe;
      let killedAt = 0;
      const events: BuildEvent[] = [];
      const result = await new BuildRunner().run(slow, {
        engineEnv: { env: { PATH: process.env.PATH, DOCKER_HOST: engine.host }, homeDir: os.homedir() },
        listener: (e) => {
          events.push(e);
          if (e.type === 'log' && e.text.includes('build-started') && !killedAt) {
            killedAt = Date.now();
            process.kill(engine.daemon.pid, 'SIGKILL');
          }
        },
      });
      assert.ok(killedAt, 'the build started');
      assert.ok(Date.now() - killedAt < 30_000, 'the build ended soon after the daemon died');
      assert.strictEqual(result.cancelled, false);
      assert.ok(result.error, `expected an error, got exit ${result.exitCode}`);
      assert.match(result.error!, /Lost the build container|socket hang up|ECONNRESET|connect/);
      assert.strictEqual(events.filter((e) => e.type === 'done').length, 1);
      assert.deepStrictEqual(result.artifacts, []);
    } finally {
      await engine.stop();
      // The killed daemon's containerd and shims were in its process group.
      try {
        process.kill(-engine.daemon.pid, 'SIGKILL');
      } catch {
        // the group is already empty
      }
      await new Promise((r) => setTimeout(r, 500));
      removeRigDir(root);
    }
  });
});
