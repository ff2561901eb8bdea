/**
 * Decodes BuildKit's `StatusResponse` (moby/buildkit api/services/control,
 * the `aux` of `moby.buildkit.trace` messages in the engine's build stream).
 * A hand-written reader of the protobuf wire format for the few fields we
 * show: no schema files to load at run time (the bundle has none) and no
 * protobuf library in the build-runner chunk.
 */

export interface BuildkitVertex {
  readonly digest: string;
  readonly name: string;
  readonly cached: boolean;
  /** Milliseconds since the epoch. */
  readonly started?: number;
  readonly completed?: number;
  readonly error?: string;
}

export interface BuildkitVertexStatus {
  readonly id: string;
  readonly vertex: string;
  readonly name: string;
  readonly current: number;
  readonly total: number;
  readonly completed?: number;
}

export interface BuildkitVertexLog {
  readonly vertex: string;
  readonly timestamp?: number;
  /** 1 stdout, 2 stderr. */
  readonly stream: number;
  readonly msg: Buffer;
}

export interface BuildkitWarning {
  readonly vertex: string;
  readonly short: string;
}

export interface BuildkitStatus {
  readonly vertexes: BuildkitVertex[];
  readonly statuses: BuildkitVertexStatus[];
  readonly logs: BuildkitVertexLog[];
  readonly warnings: BuildkitWarning[];
}

/** A protobuf field as read from the wire. */
interface Field {
  readonly no: number;
  /** Varint fields. */
  readonly int?: number;
  /** Length-delimited fields. */
  readonly bytes?: Buffer;
}

export class ProtoDecodeError extends Error {
  override name = 'ProtoDecodeError';
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ProtoDecodeError('varint too long');
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ no, int: varint() });
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new ProtoDecodeError('truncated field');
      out.push({ no, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new ProtoDecodeError(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field | undefined) => (f?.bytes ? f.bytes.toString('utf8') : '');
const int = (f: Field | undefined) => f?.int ?? 0;

/** google.protobuf.Timestamp as milliseconds; undefined when absent or zero. */
function timestamp(f: Field | undefined): number | undefined {
  if (!f?.bytes) return undefined;
  const fs = fields(f.bytes);
  const seconds = int(fs.find((x) => x.no === 1));
  const nanos = int(fs.find((x) => x.no === 2));
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  return ms > 0 ? ms : undefined;
}

function byNo(fs: Field[]): (no: number) => Field | undefined {
  return (no) => {
    let last: Field | undefined;
    for (const f of fs) if (f.no === no) last = f;
    return last;
  };
}

function vertex(buf: Buffer): BuildkitVertex {
  const get = byNo(fields(buf));
  const error = str(get(7));
  return { digest: str(get(1)), name: str(get(3)), cached: int(get(4)) !== 0, started: timestamp(get(5)), completed: timestamp(get(6)), error: error || undefined };
}

function vertexStatus(buf: Buffer): BuildkitVertexStatus {
  const get = byNo(fields(buf));
  return { id: str(get(1)), vertex: str(get(2)), name: str(get(3)), current: int(get(4)), total: int(get(5)), completed: timestamp(get(8)) };
}

function vertexLog(buf: Buffer): BuildkitVertexLog {
  const get = byNo(fields(buf));
  return { vertex: str(get(1)), timestamp: timestamp(get(2)), stream: int(get(3)), msg: get(4)?.bytes ?? Buffer.alloc(0) };
}

function warning(buf: Buffer): BuildkitWarning {
  const get = byNo(fields(buf));
  return { vertex: str(get(1)), short: str(get(3)) };
}

/** Decodes one StatusResponse; throws ProtoDecodeError on malformed input. */
export function decodeStatus(data: Buffer): BuildkitStatus {
  const status: BuildkitStatus = { vertexes: [], statuses: [], logs: [], warnings: [] };
  for (const f of fields(data)) {
    if (!f.bytes) continue;
    if (f.no === 1) status.vertexes.push(vertex(f.bytes));
    else if (f.no === 2) status.statuses.push(vertexStatus(f.bytes));
    else if (f.no === 3) status.logs.push(vertexLog(f.bytes));
    else if (f.no === 4) status.warnings.push(warning(f.bytes));
  }
  return status;
}
