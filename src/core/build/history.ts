import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { Artifact } from './events';

/** A write takes milliseconds: a lock this old belongs to a writer that died. */
const LOCK_STALE_MS = 5_000;
const LOCK_WAIT_MS = 10_000;

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
 *
 * - Written atomically (a temp file of its own, then rename), so a crash never
 *   leaves half a file, and readable by the user only (0600: it holds paths,
 *   commits and error text).
 * - Adds are chained one after another, hold a lock file against other
 *   windows sharing the file, and each re-reads the file first, so builds
 *   finishing together never overwrite each other's record.
 * - A file that cannot be parsed is moved aside (`<file>.corrupt-<time>`) and
 *   reported through `onWarning`, never silently replaced by an empty history.
 */
export class BuildHistory {
  /** What views see; refreshed by each add. Views ask on every build event. */
  private cache: Promise<BuildRecord[]> | undefined;
  /** The tail of the chain of file work: one read-modify-write at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly limit = 100,
    /** Told about a history that could not be read or was moved aside; the message names the files. */
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  list(): Promise<BuildRecord[]> {
    return (this.cache ??= this.inTurn(() => this.read()).catch((e: Error) => {
      // A view must still render: report it, show nothing, and let the next add try again.
      this.onWarning(e.message);
      this.cache = undefined;
      return [];
    }));
  }

  /** Adds a record; resolves once it is on disk. */
  add(record: BuildRecord): Promise<void> {
    return this.inTurn(() =>
      this.locked(async () => {
        const records = [record, ...(await this.read())].slice(0, this.limit);
        this.cache = Promise.resolve(records);
        await this.write(records);
      }),
    );
  }

  /** Runs file work one piece at a time, in call order. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined); // one failure must not stop the work queued after it
    return result;
  }

  /** The latest record of each target of a repository. */
  async latest(repoRoot: string): Promise<Map<string, BuildRecord>> {
    const map = new Map<string, BuildRecord>();
    for (const r of await this.list()) if (r.repoRoot === repoRoot && !map.has(r.target)) map.set(r.target, r);
    return map;
  }

  private async read(): Promise<BuildRecord[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      // Not ours to replace (permissions, a folder in the way): refuse, so nothing is overwritten.
      throw new Error(`Build history ${this.file} cannot be read (${(e as Error).message}); builds are not recorded until it can.`, { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return this.setAside(`it is not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed)) return this.setAside('it is not a list of builds');
    return parsed.filter((r): r is BuildRecord => typeof r === 'object' && r !== null && typeof (r as BuildRecord).repoRoot === 'string');
  }

  /**
   * Holds `<file>.lock` (created exclusively) around a read-modify-write, so
   * two windows sharing the file take turns too. A lock older than
   * LOCK_STALE_MS is a crashed writer's and is taken over.
   */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const age = await fs.stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > giveUpAt) throw new Error(`Build history ${this.file} stayed locked by ${lock} for ${LOCK_WAIT_MS / 1000} s; this build was not recorded.`);
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 30));
    }
    try {
      return await work();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  /** Keeps an unreadable history for the user to look at, and starts a new one. */
  private async setAside(why: string): Promise<BuildRecord[]> {
    const kept = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(this.file, kept);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.read(); // another writer already moved it and may have written anew
      throw new Error(`Build history ${this.file} is unreadable (${why}) and could not be moved aside (${(e as Error).message}); builds are not recorded until it is fixed or removed.`, { cause: e });
    }
    this.onWarning(`Build history ${this.file} was unreadable (${why}); kept it as ${kept} and started a new history.`);
    return [];
  }

  private async write(records: BuildRecord[]): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    // Unique per write, not per process: two windows of one pid namespace, or a retry, never share one.
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, JSON.stringify(records, null, 1), { mode: 0o600, flag: 'wx' });
      await fs.rename(temp, this.file);
    } catch (e) {
      await fs.rm(temp, { force: true });
      throw e;
    }
  }
}
