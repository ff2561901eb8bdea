/** One message of the engine's `POST /build` JSON stream. */
export interface BuildStreamMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  /** `moby.image.id`: { ID }; `moby.buildkit.trace`: base64 protobuf StatusResponse. */
  aux?: { ID?: string } | string;
}

/**
 * Splits the build stream into messages. The engine answers HTTP 200 even
 * when the build fails: failure is only an `error` message in the stream.
 */
export class BuildStreamDecoder {
  private carry = '';

  feed(chunk: string): BuildStreamMessage[] {
    const lines = (this.carry + chunk).split('\n');
    this.carry = lines.pop() ?? '';
    return lines.flatMap((l) => this.decode(l));
  }

  flush(): BuildStreamMessage[] {
    const last = this.carry;
    this.carry = '';
    return this.decode(last);
  }

  private decode(line: string): BuildStreamMessage[] {
    const t = line.trim();
    if (!t) return [];
    try {
      return [JSON.parse(t) as BuildStreamMessage];
    } catch {
      return [{ stream: `${t}\n` }];
    }
  }
}

/** The text a message contributes to the log, if any. */
export function messageText(m: BuildStreamMessage): string | undefined {
  if (m.stream !== undefined) return m.stream;
  if (m.status !== undefined) return `${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`;
  return undefined;
}
