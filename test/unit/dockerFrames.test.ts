import * as assert from 'assert';
import { DockerFrameDemuxer, FrameStream } from '../../src/core/util/dockerFrames';

/** A frame as the engine writes it on an attach stream without a TTY. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function demux(chunks: Buffer[]): Record<FrameStream, string> {
  const out: Record<FrameStream, Buffer[]> = { stdout: [], stderr: [] };
  const d = new DockerFrameDemuxer((stream, piece) => out[stream].push(Buffer.from(piece)));
  for (const c of chunks) d.push(c);
  return { stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8') };
}

describe('attach stream frames to stdout and stderr', () => {
  const stream = Buffer.concat([frame(1, 'Step 1/3 : FROM x\n'), frame(2, 'daemon/x.go:1:2: bad — ünïcode\n'), frame(1, ''), frame(1, 'done\n')]);
  const want = { stdout: 'Step 1/3 : FROM x\ndone\n', stderr: 'daemon/x.go:1:2: bad — ünïcode\n' };

  it('gives each stream its bytes however the reads are cut, headers included', () => {
    assert.deepStrictEqual(demux([stream]), want);
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 7) {
        assert.deepStrictEqual(demux([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]), want, `cut at ${a} and ${b}`);
      }
    }
    assert.deepStrictEqual(demux([...stream].map((byte) => Buffer.from([byte]))), want, 'one byte at a time');
  });

  it('passes a stream that is not multiplexed (a TTY container) on as stdout', () => {
    assert.deepStrictEqual(demux([Buffer.from('plain tty output\r\n'), Buffer.from('more')]), { stdout: 'plain tty output\r\nmore', stderr: '' });
  });
});
