export type FrameStream = 'stdout' | 'stderr';

/**
 * Splits the engine's multiplexed attach stream (each frame: 8-byte header
 * with the stream in byte 0 and the big-endian length in bytes 4-7, then
 * the payload) into stdout and stderr pieces. Payload pieces are views of the
 * chunks read, handed on as soon as they arrive, even mid-frame: unlike
 * docker-modem's demuxStream, which concatenates and copies its whole
 * buffer for every frame, nothing is copied but a header split between two
 * reads. Consumers decode text with a StringDecoder, so a piece may end
 * anywhere. A stream that is not multiplexed (a TTY container) is passed on
 * as stdout.
 */
export class DockerFrameDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  private stream: FrameStream = 'stdout';
  private remaining = 0;
  private raw = false;

  constructor(private readonly onPiece: (stream: FrameStream, piece: Buffer) => void) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.raw) {
        this.onPiece('stdout', at === 0 ? chunk : chunk.subarray(at));
        return;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        this.onPiece(this.stream, chunk.subarray(at, at + n));
        this.remaining -= n;
        at += n;
        continue;
      }
      const n = Math.min(8 - this.headerBytes, chunk.length - at);
      chunk.copy(this.header, this.headerBytes, at, at + n);
      this.headerBytes += n;
      at += n;
      if (this.headerBytes < 8) return;
      this.headerBytes = 0;
      const type = this.header[0];
      if (type > 2 || this.header[1] !== 0 || this.header[2] !== 0 || this.header[3] !== 0) {
        // Not a frame header: from here on the stream is raw output.
        this.raw = true;
        this.onPiece('stdout', Buffer.from(this.header));
        continue;
      }
      this.stream = type === 2 ? 'stderr' : 'stdout';
      this.remaining = this.header.readUInt32BE(4);
    }
  }
}
