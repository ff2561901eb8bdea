import { createReadStream } from 'fs';
import * as path from 'path/posix';
import { Readable } from 'stream';
import * as tarStream from 'tar-stream';

export interface ArchiveEntry {
  /** Local file to read. */
  readonly source: string;
  /** Name inside the archive (relative to where it is unpacked). */
  readonly name: string;
  readonly size: number;
}

/**
 * The files as one tar stream, for `tar -xf - -C DIR` on the machine: one
 * SSH channel and one round trip for all of them, where a channel per file
 * costs a round trip each (a deploy's small helpers would wait on latency,
 * not bandwidth). Entries are owned by root, mode 0755. `onBytes` counts
 * file bytes as they enter the stream.
 */
export function uploadArchive(entries: readonly ArchiveEntry[], onBytes: (file: ArchiveEntry, sent: number) => void): Readable {
  const pack = tarStream.pack();
  const mtime = new Date();
  void (async () => {
    try {
      for (const e of entries) {
        if (path.basename(e.name) !== e.name) throw new Error(`not a plain file name: ${e.name}`);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: e.name, size: e.size, mode: 0o755, mtime, uid: 0, gid: 0, type: 'file' }, (err) => (err ? reject(err) : resolve()));
          const input = createReadStream(e.source, { highWaterMark: 1024 * 1024 });
          let sent = 0;
          input.on('data', (chunk) => onBytes(e, (sent += chunk.length)));
          input.on('error', (err) => {
            entry.destroy(err);
            reject(new Error(`cannot read ${e.source}: ${err.message}`));
          });
          // The archive is torn down when ssh quits mid-way: that is ssh's story to tell.
          entry.on('error', reject);
          input.pipe(entry);
        });
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  // A streamx stream: pipes into a child's stdin as a Node.js stream does.
  return pack as unknown as Readable;
}
