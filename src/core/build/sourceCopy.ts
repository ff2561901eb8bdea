import { lstatSync, promises as fs } from 'fs';
import * as path from 'path';
import { ContextFile } from './context';

/**
 * What a bind mount of `root` would show, for copying the source into a
 * remote build container: every file, `.git` and ignored files included
 * (`.dockerignore` is for image contexts, not for the source a build reads),
 * except exactly the artifact paths, so stale outputs are not sent and
 * copied back as if they were new. `bundles/binary-daemon` excludes that
 * folder only, not the rest of `bundles/`.
 */
export async function listSourceFiles(root: string, artifactPaths: readonly string[]): Promise<ContextFile[]> {
  const excluded = new Set(artifactPaths.map((p) => path.posix.normalize(p.split(path.sep).join('/')).replace(/^\.\/+|\/+$/g, '')));
  const out: ContextFile[] = [];
  async function walk(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (excluded.has(rel)) continue;
      if (e.isDirectory()) {
        await walk(rel);
      } else if (e.isFile() || e.isSymbolicLink()) {
        // Sync: microseconds per call, and each folder's readdir still yields.
        const st = lstatSync(path.join(root, rel));
        out.push({ rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode });
      }
    }
  }
  await walk('');
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}
