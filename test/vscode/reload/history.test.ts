import * as assert from 'assert';
import * as fs from 'fs';
import { api, SessionSnapshot, sessionFile, snapshotBuildTargets, targetNodes, until } from '../helpers';

describe('after a reload (a new window and extension host on the same workspace)', () => {
  it('reads the build history back into the Build Targets view as the first window left it', async () => {
    const file = sessionFile();
    assert.ok(file && fs.existsSync(file), 'the first window saved what its Build Targets view showed');
    const before = JSON.parse(fs.readFileSync(file, 'utf8')) as SessionSnapshot;
    assert.notStrictEqual(before.pid, process.pid, 'this is a new extension host, not the one that built');
    const results = new Set(before.targets.map((t) => t.result).filter(Boolean));
    assert.ok(results.has('succeeded') && results.has('failed'), `the first window left successful and failed builds: ${[...results].join(', ')}`);
    assert.deepStrictEqual(await snapshotBuildTargets(), { ...before, pid: process.pid });
    const ui = (await api()).ui;
    const binary = (await targetNodes()).find((n) => n.recipe.id === 'binary')!;
    assert.match(String(ui.buildTargets.getTreeItem(binary).description), /^default · succeeded · \d+s · /);
    assert.strictEqual((await ui.buildTargets.getChildren(binary)).filter((n) => n.type === 'artifact').length, 2);
  });

  it('offers the default target in the status bar of a window that has not built yet', async () => {
    const ui = (await api()).ui;
    // The first render reads the settings; wait for it rather than for a fixed time.
    await until('the status bar to render', () => ui.statusBar.text);
    assert.strictEqual(ui.statusBar.text, '$(tools) binary');
  });
});
