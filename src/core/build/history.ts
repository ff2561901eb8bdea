import { promises as fs } from 'fs';
import * as path from 'path';
import { Artifact } from './events';

/** One finished build, as kept in the history. */
export interface BuildRecord {
  readonly repoRoot: string;
  readonly target: string;
  readonly commit?: string;
  readonly engine?: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** `no-artifacts`: the command succeeded but none of the target's artifacts were found. */
  readonly result: 'succeeded' | 'no-artifacts' | 'failed' | 'cancelled' | 'error';
  readonly exitCode?: number;
  readonly error?: string;
  readonly artifacts: readonly Artifact[];
}

/**
 * Builds per workspace, newest first, in a JSON file that survives reloads.
 * Written atomically (temp file + rename), so a crash never leaves half a file.
 */
export class BuildHistory {
  /** Read once, then kept: views ask on every build event, and this instance is the file's only writer. */
  private cache: Promise<BuildRecord[]> | undefined;

  constructor(private readonly file: string, private readonly limit = 100) {}

  list(): Promise<BuildRecord[]> {
    return (this.cache ??= this.read());
  }

  private async read(): Promise<BuildRecord[]> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? (parsed as BuildRecord[]) : [];
    } catch {
      return []; // missing or unreadable: start afresh rather than fail a build
    }
  }

  async add(record: BuildRecord): Promise<void> {
    const records = [record, ...(await this.list())].slice(0, this.limit);
    this.cache = Promise.resolve(records);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify(records, null, 1));
    await fs.rename(temp, this.file);
  }

  /** The latest record of each target of a repository. */
  async latest(repoRoot: string): Promise<Map<string, BuildRecord>> {
    const map = new Map<string, BuildRecord>();
    for (const r of await this.list()) if (r.repoRoot === repoRoot && !map.has(r.target)) map.set(r.target, r);
    return map;
  }
}
