import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RIG_PREFIX } from './tempRoot';

/** Processes whose command line mentions a rig directory: anything the rig started and left running. */
export function rigProcesses(marker = RIG_PREFIX): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes(marker)) found.push({ pid, cmdline });
  }
  return found;
}

/** Mount points below a rig directory (overlay mounts of containers, netns, shm). */
export function rigMounts(marker = RIG_PREFIX): string[] {
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.includes(marker));
}

/** Rig directories still in the temp dir. */
export function rigDirs(marker = RIG_PREFIX): string[] {
  const bases = [...new Set([os.tmpdir(), '/tmp'])];
  return bases.flatMap((b) => {
    try {
      return fs.readdirSync(b).filter((n) => n.startsWith(marker)).map((n) => path.join(b, n));
    } catch {
      return [];
    }
  });
}
