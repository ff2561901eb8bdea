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
  try {
    const mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      try {
        require('child_process').execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        // best effort; rm below reports what remains
      }
    }
  } catch {
    // no /proc: nothing mounted by us either
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
