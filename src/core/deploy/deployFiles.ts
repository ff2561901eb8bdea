import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { fileSha256, hostVersionReader } from '../build/artifacts';
import type { Artifact } from '../build/events';

const run = promisify(execFile);

/** One binary to install: where it is here, the name it gets on the machine, what it is. */
export interface DeployFile {
  /** Name on the machine: `dockerd`, not `dockerd-dev`. */
  readonly name: string;
  /** The file's content here (a symlink's target already resolved). */
  readonly source: string;
  readonly size: number;
  readonly sha256: string;
  /** `Docker version dev, build 5d6db84223`, where the binary runs here. */
  readonly version?: string;
}

export interface DeployFileSet {
  readonly files: readonly DeployFile[];
  /** What the files were taken from, for messages and the plan. */
  readonly origin: string;
  /** Notes for the user (skipped files, unreadable versions). */
  readonly notes: readonly string[];
  /** Removes temp files (an unpacked .tgz). */
  dispose(): Promise<void>;
}

/** Checksums moby writes beside binaries, and anything that is not a program. */
const SIDE_FILE = /\.(sha256|md5|txt|md|json)$/;

/**
 * The binaries to deploy from what a build left: a moby `bundles/` folder
 * (any era: `bundles/binary-daemon`, `bundles/<VERSION>/binary-daemon`), one
 * of its `binary-*` folders, docker-ce's static `.tgz` (`docker/dockerd`…),
 * or single files. A symlink in a bundle names what to install: moby writes
 * `dockerd-dev` and `dockerd -> dockerd-dev`, installed as `dockerd`.
 */
export async function deployFilesFrom(sources: readonly string[], signal?: AbortSignal): Promise<DeployFileSet> {
  const notes: string[] = [];
  const picked = new Map<string, string>();
  const temps: string[] = [];
  const add = (name: string, file: string) => {
    if (picked.has(name) && picked.get(name) !== file) notes.push(`${name}: two sources, ${picked.get(name)} and ${file}; using the second.`);
    picked.set(name, file);
  };
  try {
    for (const source of sources) {
      const stat = await fs.stat(source).catch(() => undefined);
      if (!stat) throw new Error(`${source}: no such file or folder to deploy from`);
      if (stat.isDirectory()) {
        const dirs = await binaryFolders(source);
        if (dirs.length === 0) throw new Error(`${source}: no binaries found (expected moby's bundles/ folder, a binary-daemon folder or a folder of executables)`);
        for (const dir of dirs) for (const [name, file] of await bundleBinaries(dir, notes)) add(name, file);
      } else if (/\.(tgz|tar\.gz)$/.test(source)) {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dfw-deploy-'));
        temps.push(dir);
        try {
          await run('tar', ['-xzf', source, '-C', dir, '--no-same-owner'], { signal });
        } catch (e) {
          throw new Error(`${source}: cannot unpack: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, { cause: e });
        }
        const dirs = await binaryFolders(dir);
        if (dirs.length === 0) throw new Error(`${source}: the archive holds no binaries`);
        for (const d of dirs) for (const [name, file] of await bundleBinaries(d, notes)) add(name, file);
      } else {
        add(path.basename(source), await fs.realpath(source));
      }
    }
    const names = [...picked.keys()].sort();
    const readVersions = hostVersionReader((n) => notes.push(n));
    const versions = await readVersions([...picked.values()], signal);
    const files = await Promise.all(
      names.map(async (name) => {
        const source = picked.get(name)!;
        return { name, source, size: (await fs.stat(source)).size, sha256: await fileSha256(source), version: versions.get(source) };
      }),
    );
    return { files, origin: sources.join(', '), notes, dispose: () => removeAll(temps) };
  } catch (e) {
    await removeAll(temps);
    throw e;
  }
}

/** A build's recorded artifacts: their paths are taken as single files or bundle links. */
export async function deployFilesFromArtifacts(artifacts: readonly Artifact[], signal?: AbortSignal): Promise<DeployFileSet> {
  if (artifacts.length === 0) throw new Error('the build recorded no artifacts to deploy');
  const set = await deployFilesFrom(artifacts.map((a) => a.path), signal);
  return set;
}

async function removeAll(dirs: readonly string[]): Promise<void> {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
}

/** The folders holding binaries: the folder itself, its binary-* folders, bundles/<VERSION>/binary-*, docker/. */
async function binaryFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string, depth: number) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const subdirs = entries.filter((e) => e.isDirectory());
    const wanted = subdirs.filter((e) => /^binary-(daemon|client|proxy)$|^docker$/.test(e.name));
    if (wanted.length) {
      for (const e of wanted) found.push(path.join(dir, e.name));
      return;
    }
    if (entries.some((e) => (e.isFile() || e.isSymbolicLink()) && !SIDE_FILE.test(e.name))) {
      if (await hasExecutable(dir, entries.map((e) => e.name))) {
        found.push(dir);
        return;
      }
    }
    // bundles/ and bundles/<VERSION>/ (17.x), an unpacked archive's top folder.
    if (depth < 2) for (const e of subdirs) await visit(path.join(dir, e.name), depth + 1);
  };
  await visit(root, 0);
  return found;
}

async function hasExecutable(dir: string, names: readonly string[]): Promise<boolean> {
  for (const n of names) {
    const st = await fs.stat(path.join(dir, n)).catch(() => undefined);
    if (st?.isFile() && st.mode & 0o111) return true;
  }
  return false;
}

/**
 * name → file in one bundle folder. Symlinks name the installed file;
 * a file a symlink points at is not installed again under its own name.
 */
async function bundleBinaries(dir: string, notes: string[]): Promise<Map<string, string>> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const result = new Map<string, string>();
  const linked = new Set<string>();
  for (const e of entries) {
    if (!e.isSymbolicLink() || SIDE_FILE.test(e.name)) continue;
    const real = await fs.realpath(path.join(dir, e.name)).catch(() => undefined);
    if (!real) {
      notes.push(`${path.join(dir, e.name)}: a dangling link, skipped.`);
      continue;
    }
    result.set(e.name, real);
    if (path.dirname(real) === (await fs.realpath(dir))) linked.add(path.basename(real));
  }
  for (const e of entries) {
    if (!e.isFile() || SIDE_FILE.test(e.name) || linked.has(e.name)) continue;
    const file = path.join(dir, e.name);
    const st = await fs.stat(file);
    if (!(st.mode & 0o111)) {
      notes.push(`${file}: not executable, skipped.`);
      continue;
    }
    result.set(e.name, file);
  }
  return result;
}

/** The commit a version line names: `Docker version dev, build 5d6db84223` → `5d6db84223`. */
export function commitOfVersion(version: string | undefined): string | undefined {
  return /\bbuild ([0-9a-f]{7,40})\b/i.exec(version ?? '')?.[1]?.toLowerCase();
}

/** Two abbreviations of one commit agree when the shorter is a prefix of the longer (7 hex digits at least). */
export function sameCommit(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const [x, y] = [a.toLowerCase().replace(/-dirty$/, ''), b.toLowerCase().replace(/-dirty$/, '')];
  const n = Math.min(x.length, y.length);
  return n >= 7 && x.slice(0, n) === y.slice(0, n);
}
