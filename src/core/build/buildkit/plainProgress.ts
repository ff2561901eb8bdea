import { BuildkitStatus } from './statusProto';

interface VertexState {
  readonly index: number;
  name: string;
  started?: number;
  headerShown: boolean;
  finished: boolean;
  /** Output not yet ended by a newline. */
  partial: string;
  /** The last lines it printed, for the failure summary. */
  readonly tail: string[];
  error?: string;
}

const TAIL_LINES = 12;

/**
 * Renders BuildKit status updates as `docker build --progress=plain` does:
 * `#5 [dev 3/9] RUN …`, `#5 0.312 output`, `#5 DONE 0.4s`, `#5 CACHED`,
 * `#5 ERROR: …`, a blank line between steps. The Build Targets progress
 * parser and Problems read these lines like any other build output.
 */
export class PlainProgressPrinter {
  private readonly vertexes = new Map<string, VertexState>();
  private lastPrinted: string | undefined;

  /** The text for one status update (possibly empty). */
  feed(status: BuildkitStatus): string {
    const out: string[] = [];
    const print = (digest: string, v: VertexState, line: string) => {
      if (this.lastPrinted !== undefined && this.lastPrinted !== digest) out.push('');
      this.lastPrinted = digest;
      if (!v.headerShown) {
        v.headerShown = true;
        out.push(`#${v.index} ${v.name}`);
        if (line === '') return;
      }
      out.push(line);
    };
    for (const x of status.vertexes) {
      const v = this.state(x.digest);
      if (x.name) v.name = x.name;
      if (x.started) v.started ??= x.started;
      if (v.finished) continue;
      if (x.cached) {
        v.finished = true;
        print(x.digest, v, `#${v.index} CACHED`);
      } else if (x.error) {
        v.finished = true;
        v.error = x.error;
        this.flushPartial(x.digest, v, print);
        print(x.digest, v, `#${v.index} ERROR: ${x.error}`);
      } else if (x.completed) {
        v.finished = true;
        this.flushPartial(x.digest, v, print);
        const secs = v.started ? ((x.completed - v.started) / 1000).toFixed(1) : '0.0';
        print(x.digest, v, `#${v.index} DONE ${secs}s`);
      } else if (x.started && !v.headerShown) {
        print(x.digest, v, '');
      }
    }
    for (const s of status.statuses) {
      if (!s.completed) continue;
      const v = this.state(s.vertex);
      const amount = s.total > 0 ? ` ${formatBytes(s.current)} / ${formatBytes(s.total)}` : s.current > 0 ? ` ${formatBytes(s.current)}` : '';
      print(s.vertex, v, `#${v.index} ${s.name || s.id}${amount} done`);
    }
    for (const l of status.logs) {
      const v = this.state(l.vertex);
      const text = v.partial + l.msg.toString('utf8');
      const lines = text.split(/\r?\n/);
      v.partial = lines.pop() ?? '';
      const secs = v.started && l.timestamp ? ((l.timestamp - v.started) / 1000).toFixed(3) : '0.000';
      for (const line of lines) {
        const shown = `#${v.index} ${secs} ${line}`;
        v.tail.push(shown);
        if (v.tail.length > TAIL_LINES) v.tail.shift();
        print(l.vertex, v, shown);
      }
    }
    for (const w of status.warnings) {
      const v = this.state(w.vertex);
      print(w.vertex, v, `#${v.index} WARNING: ${w.short}`);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  /** The step that failed, with its last output lines, as the plain printer's closing box shows it. */
  failure(): { readonly step: string; readonly error: string; readonly tail: readonly string[] } | undefined {
    for (const v of this.vertexes.values()) if (v.error) return { step: v.name, error: v.error, tail: v.tail };
    return undefined;
  }

  private state(digest: string): VertexState {
    let v = this.vertexes.get(digest);
    if (!v) this.vertexes.set(digest, (v = { index: this.vertexes.size + 1, name: digest, headerShown: false, finished: false, partial: '', tail: [] }));
    return v;
  }

  private flushPartial(digest: string, v: VertexState, print: (d: string, v: VertexState, line: string) => void): void {
    if (!v.partial) return;
    const shown = `#${v.index} ${v.partial}`;
    v.partial = '';
    v.tail.push(shown);
    print(digest, v, shown);
  }
}

function formatBytes(n: number): string {
  if (n < 1000) return `${n}B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(2)}kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)}MB`;
  return `${(n / 1e9).toFixed(2)}GB`;
}
