import ignore from '@balena/dockerignore';
import { createHash } from 'crypto';
import { constants as fsConstants, createReadStream, lstatSync, promises as fs, readFileSync } from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as tarStream from 'tar-stream';

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
        // Sync for the same reason as in packFiles: microseconds per call, and
        // each folder's readdir above still yields to the event loop.
        const st = lstatSync(path.join(root, rel));
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

/** Files up to this size are read in one call; larger ones are streamed. */
const READ_WHOLE_LIMIT = 1024 * 1024;

/**
 * A tar stream of `files` from `root`, optionally under `prefix` (for
 * copying into a container). Uses the metadata already listed instead of a
 * second stat per file, reads small files whole, waits for the consumer
 * (backpressure), and records root ownership as `docker build` contexts do.
 * `replace` sends other contents for some files (a rewritten Dockerfile).
 */
export function packFiles(root: string, files: readonly ContextFile[], prefix = '', replace?: ReadonlyMap<string, Buffer>): Readable {
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  const pack = tarStream.pack();
  const add = (header: Record<string, unknown>, body: Buffer = Buffer.alloc(0)) =>
    new Promise<void>((resolve, reject) => {
      pack.entry(header as never, body, (err?: Error | null) => (err ? reject(err) : resolve()));
    });
  void (async () => {
    for (const f of files) {
      const abs = path.join(root, f.rel);
      const base = { name: clean ? `${clean}/${f.rel}` : f.rel, mode: f.mode & 0o7777, mtime: new Date(f.mtimeMs), uid: 0, gid: 0 };
      const replacement = replace?.get(f.rel);
      if (replacement) {
        await add({ ...base, size: replacement.length }, replacement);
      } else if ((f.mode & fsConstants.S_IFMT) === fsConstants.S_IFLNK) {
        await add({ ...base, type: 'symlink', linkname: await fs.readlink(abs) });
      } else if (f.size <= READ_WHOLE_LIMIT) {
        // Synchronous on purpose: one read of a small file takes microseconds,
        // while fs.promises.readFile costs several thread-pool round trips
        // (10x slower over a moby-sized tree). Awaiting each entry yields.
        const body = readFileSync(abs);
        await add({ ...base, size: body.length }, body);
      } else {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ ...base, size: f.size } as never, (err?: Error | null) => (err ? reject(err) : resolve()));
          createReadStream(abs).on('error', reject).pipe(entry);
        });
      }
    }
    pack.finalize();
  })().catch((e: Error) => pack.destroy(new Error(`Cannot pack ${root}: ${e.message}`)));
  return pack as unknown as Readable;
}
