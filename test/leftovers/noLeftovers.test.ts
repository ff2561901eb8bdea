// Runs last in `npm test`: after every layer has stopped its services,
// nothing the rig started may still be running, mounted or on disk.
import * as assert from 'assert';
import { spawn } from 'child_process';
import { rigDirs, rigMounts, rigProcesses } from '../services/leftovers';

describe('after npm test: nothing the rig started is left behind', () => {
  it('the process scan finds a process that carries a rig path (self-check)', async () => {
    const marker = `dfw-leftover-selfcheck-${process.pid}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', `/tmp/${marker}`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.deepStrictEqual(rigProcesses(marker).map((p) => p.pid), [child.pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('no rig daemon (dockerd, containerd, shims, sshd, git daemon, code-server, Chromium) is still running', () => {
    assert.deepStrictEqual(rigProcesses(), []);
  });

  it('no rig mount remains and every rig temp dir was removed', () => {
    assert.deepStrictEqual(rigMounts(), []);
    assert.deepStrictEqual(rigDirs(), []);
  });
});
