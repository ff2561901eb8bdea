import ignore from '@balena/dockerignore';
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as tar from 'tar-fs';

/** A file sent in a build context or copied into a container. */
export interface ContextFile {
  /** Relative, with forward slashes. */
  readonly rel: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
}

/**
 * Lists what `docker build` would send from `root`, honouring its
 * .dockerignore (Docker's own matching rules, negations included). The
 * Dockerfile and .dockerignore are always sent, as the CLI does.
 */
export async function listContextFiles(root: string, options: { dockerfile?: string; extraExcludes?: readonly string[] } = {}): Promise<ContextFile[]> {
  const patterns = ((await fs.readFile(path.join(root, '.dockerignore'), 'utf8').catch(() => '')) as string)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const ig = ignore().add([...patterns, ...(options.extraExcludes ?? [])]);
  const hasNegations = patterns.some((p) => p.startsWith('!'));
  const always = new Set([options.dockerfile ?? 'Dockerfile', '.dockerignore']);
  const out: ContextFile[] = [];

  async function walk(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        // A pruned folder can still hold an exception (`!bundles/keep`), so only skip it without negations.
        if (ig.ignores(`${rel}/`) && !hasNegations) continue;
        await walk(rel);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (ig.ignores(rel) && !always.has(rel)) continue;
        const st = await fs.lstat(path.join(root, rel));
        out.push({ rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode });
      }
    }
  }
  await walk('');
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}

/**
 * A fingerprint of everything that feeds an image: file names, sizes, modes
 * and modification times, plus `extra` (Dockerfile target, build args...).
 * Cheap on large trees because it reads metadata, not contents.
 */
export function contextFingerprint(files: readonly ContextFile[], extra: string): string {
  const h = createHash('sha256').update(extra).update('\0');
  for (const f of files) h.update(`${f.rel}\0${f.size}\0${Math.trunc(f.mtimeMs)}\0${f.mode}\n`);
  return h.digest('hex');
}

/** A tar stream of `files` from `root`, optionally under `prefix` (for copying into a container). */
export function packFiles(root: string, files: readonly ContextFile[], prefix = ''): Readable {
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return tar.pack(root, {
    entries: files.map((f) => f.rel),
    map: (header) => {
      if (clean) header.name = `${clean}/${header.name}`;
      return header;
    },
  }) as unknown as Readable;
}
