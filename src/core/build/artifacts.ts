import { execFile } from 'child_process';
import { createHash } from 'crypto';
import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { Artifact } from './events';
import { BuildSetupError } from './executor';

export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Reads the `--version` line of each executable artifact where it can run,
 * by absolute path; a file missing from the answer has no version line.
 */
export type VersionReader = (files: readonly string[], signal?: AbortSignal) => Promise<Map<string, string>>;

/** ELF e_machine values of the architectures Node runs on, to tell a foreign binary before running it. */
const ELF_MACHINE: Partial<Record<string, number>> = { x64: 62, arm64: 183, arm: 40, ia32: 3, ppc64: 21, s390x: 22, riscv64: 243 };

/** The ELF machine of a file, or undefined for scripts and other non-ELF files. */
async function elfMachine(file: string): Promise<number | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(20);
    const { bytesRead } = await fh.read(head, 0, 20, 0);
    if (bytesRead < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  } finally {
    await fh.close();
  }
}

/**
 * True for an ELF executable of this machine's architecture with no program
 * interpreter (PT_INTERP): statically linked, so it runs the same here as in
 * the container that built it (moby's `binary` target builds exactly that).
 */
export async function isStaticNativeElf(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    if (bytesRead < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] !== 2;
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    if (u16(head, 18) !== ELF_MACHINE[process.arch]) return false;
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    if (phnum === 0 || phentsize < 4 || phnum > 512) return false;
    const table = Buffer.alloc(phentsize * phnum);
    const got = (await fh.read(table, 0, table.length, phoff)).bytesRead;
    if (got < table.length) return false;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } finally {
    await fh.close();
  }
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

/**
 * Host builds: runs each binary here, except one built for another
 * architecture (a cross-compiled static build), which is skipped with a note.
 */
export function hostVersionReader(note: (text: string) => void): VersionReader {
  return async (files, signal) => {
    const found = new Map<string, string>();
    const native = ELF_MACHINE[process.arch];
    await Promise.all(
      files.map(async (file) => {
        const machine = await elfMachine(file).catch(() => undefined);
        if (machine !== undefined && native !== undefined && machine !== native) {
          note(`Not running ${path.basename(file)} --version: it is built for another architecture (ELF machine ${machine}).`);
          return;
        }
        const line = await versionLine(file, signal);
        if (line) found.set(file, line);
      }),
    );
    return found;
  };
}

/** Checksums next to binaries (moby writes .sha256 and .md5 files) are not artifacts themselves. */
const SIDE_FILES = /\.(sha256|md5)$/;

function inside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Refuses artifact paths that leave the repository (`../x`, `/usr/bin`):
 * artifacts are hashed, run for their version and, on remote engines,
 * written here, so a path outside would read or replace files that are not
 * the build's.
 */
export function checkArtifactPaths(repoRoot: string, targetId: string, artifactPaths: readonly string[]): void {
  for (const p of artifactPaths) {
    const abs = path.resolve(repoRoot, p);
    if (path.isAbsolute(p) || !inside(repoRoot, abs) || abs === path.resolve(repoRoot)) {
      throw new BuildSetupError(
        `Artifact path '${p}' of target '${targetId}' is outside the repository ${repoRoot}: artifact paths must be relative folders or files inside it, such as 'bundles/binary-daemon'.`,
      );
    }
  }
}

/**
 * The artifacts under the recipe's artifact paths: regular files only
 * (moby's `dockerd -> dockerd-dev` links would list the same binary twice),
 * each with size, sha256 and, where `readVersions` is given and it has one,
 * its version line. Paths that resolve outside the repository through a
 * symbolic link are skipped.
 */
export async function collectArtifacts(repoRoot: string, artifactPaths: readonly string[], signal?: AbortSignal, readVersions?: VersionReader): Promise<Artifact[]> {
  const realRoot = await fs.realpath(repoRoot).catch(() => repoRoot);
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
  for (const p of artifactPaths) {
    const abs = path.resolve(repoRoot, p);
    const real = await fs.realpath(abs).catch(() => undefined);
    if (real && inside(realRoot, real)) await visit(abs);
  }
  const stats = await Promise.all(files.map((f) => fs.stat(f)));
  const executables = files.filter((_, i) => (stats[i].mode & 0o111) !== 0);
  // Hashing and version reading overlap: on a real dockerd each takes a noticeable part of a second.
  const [hashes, versions] = await Promise.all([Promise.all(files.map(fileSha256)), readVersions && executables.length ? readVersions(executables, signal) : new Map<string, string>()]);
  return files.map((file, i) => ({
    path: file,
    relativePath: path.relative(repoRoot, file).split(path.sep).join('/'),
    size: stats[i].size,
    sha256: hashes[i],
    version: versions.get(file),
  }));
}
