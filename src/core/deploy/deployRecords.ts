import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import type { DeployMode } from './deployPlan';

/** What the last deploy to a machine used, so rollback and status can use it again. */
export interface DeployRecord {
  readonly machine: string;
  readonly id: string;
  readonly at: string;
  readonly mode: DeployMode;
  readonly dest: string;
  /** The custom restart command, if one was given. */
  readonly restart?: string;
  readonly daemonHost: string;
  readonly unit?: string;
  readonly dropInDir?: string;
  readonly remoteStateDir: string;
  readonly commit?: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly sha256: string; readonly size: number }>;
  readonly origin: string;
  /** `deployed`, or `rolled-back` once rollback undid it. */
  readonly state: 'deployed' | 'rolled-back';
}

/**
 * One JSON file, machine → last deploy. Writes go one at a time (a chain),
 * each re-reads the file and replaces it atomically (temp file + rename,
 * 0600), so deploys to several machines finishing together lose nothing. A
 * file that cannot be parsed is reported, never taken as empty.
 */
export class DeployRecords {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async get(machine: string): Promise<DeployRecord | undefined> {
    return (await this.read())[machine];
  }

  async all(): Promise<Record<string, DeployRecord>> {
    return this.read();
  }

  put(record: DeployRecord): Promise<void> {
    const next = this.queue.then(async () => {
      const all = await this.read();
      all[record.machine] = record;
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.writeFile(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
      await fs.rename(temp, this.file);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Record<string, DeployRecord>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as Record<string, DeployRecord>;
    } catch (e) {
      throw new Error(`${this.file}: cannot read the deploy records (${(e as Error).message}); fix or remove the file`, { cause: e });
    }
  }
}
