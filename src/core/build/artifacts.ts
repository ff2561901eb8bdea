import { execFile } from 'child_process';
import { createHash } from 'crypto';
import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { Artifact } from './events';

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The first line a binary prints for `--version`, within 5 s; undefined if it has none. */
export function versionLine(file: string, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 5000, maxBuffer: 64 * 1024, signal, env: { PATH: process.env.PATH ?? '' } }, (err, stdout) => {
      const line = String(stdout).split('\n')[0].trim();
      resolve(!err && line ? line.slice(0, 200) : undefined);
    });
  });
}

/** Checksums next to binaries (moby writes .sha256 and .md5 files) are not artifacts themselves. */
const SIDE_FILES = /\.(sha256|md5)$/;

/**
 * The artifacts under the recipe's artifact paths: regular files only
 * (moby's `dockerd -> dockerd-dev` links would list the same binary twice),
 * each with size, sha256 and version line where it has one.
 */
export async function collectArtifacts(repoRoot: string, artifactPaths: readonly string[], signal?: AbortSignal): Promise<Artifact[]> {
  const files: string[] = [];
  async function visit(abs: string): Promise<void> {
    const st = await fs.lstat(abs).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of (await fs.readdir(abs)).sort()) await visit(path.join(abs, name));
    } else if (st.isFile() && !SIDE_FILES.test(abs)) {
      files.push(abs);
    }
  }
  for (const p of artifactPaths) await visit(path.resolve(repoRoot, p));
  const out: Artifact[] = [];
  for (const file of files) {
    const st = await fs.stat(file);
    const executable = (st.mode & 0o111) !== 0;
    out.push({
      path: file,
      relativePath: path.relative(repoRoot, file).split(path.sep).join('/'),
      size: st.size,
      sha256: await sha256(file),
      version: executable ? await versionLine(file, signal) : undefined,
    });
  }
  return out;
}
