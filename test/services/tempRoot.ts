import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Every directory the rig creates starts with this prefix, and every process
 * it starts has such a path on its command line: that is how the leftovers
 * check finds anything the rig failed to clean up.
 */
export const RIG_PREFIX = 'dfw-rig-';

/** Short on purpose: containerd's unix sockets live below it (108-byte limit). */
export function makeRigDir(purpose: string): string {
  const base = os.tmpdir().length > 40 ? '/tmp' : os.tmpdir();
  return fs.mkdtempSync(path.join(base, `${RIG_PREFIX}${purpose}-`));
}

/** Unmounts anything still mounted below `dir` (deepest first), then deletes it. */
export function removeRigDir(dir: string): void {
  // Mounts can be stacked (a killed dockerd leaves its data-root bind mount
  // over another): unmount until none is left below `dir`.
  for (let round = 0; round < 5; round++) {
    const mounts = mountsBelow(dir);
    if (mounts.length === 0) break;
    for (const m of mounts) {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        // best effort; the leftovers check reports what remains
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function mountsBelow(dir: string): string[] {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
      .sort((a, b) => b.length - a.length);
  } catch {
    return []; // no /proc: nothing mounted by us either
  }
}
