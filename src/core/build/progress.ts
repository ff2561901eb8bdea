import { BuildProgress } from './events';

/** One small pure parser per progress format; each sees one line without colours. */
export type ProgressParser = (line: string) => BuildProgress | undefined;

/** Legacy builder: `Step 3/12 : RUN make`. */
export const dockerStep: ProgressParser = (line) => {
  const m = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
  return m ? { step: Number(m[1]), total: Number(m[2]), label: `Step ${m[1]}/${m[2]}: ${m[3]}` } : undefined;
};

/** BuildKit plain progress: `#7 [dev 3/9] RUN make` or `#7 [3/9] RUN make`. */
export const buildkitStep: ProgressParser = (line) => {
  const m = /^#\d+ \[(?:[\w.-]+ )?(\d+)\/(\d+)\] (.*)$/.exec(line);
  return m ? { step: Number(m[1]), total: Number(m[2]), label: `[${m[1]}/${m[2]}] ${m[3]}` } : undefined;
};

/** moby's hack/make.sh: `---> Making bundle: binary (in bundles/binary)`. */
export const makingBundle: ProgressParser = (line) => {
  const m = /^---> Making bundle: (\S+)/.exec(line);
  return m ? { label: `Making bundle: ${m[1]}` } : undefined;
};

/** CMake/ninja-style percentages, as in docker-ce packaging: `[ 42%] Building…`. */
export const percent: ProgressParser = (line) => {
  const m = /^\[\s*(\d{1,3})%\]\s*(.*)$/.exec(line);
  return m && Number(m[1]) <= 100 ? { percent: Number(m[1]), label: `[${m[1]}%] ${m[2]}`.trim() } : undefined;
};

export const PROGRESS_PARSERS: readonly ProgressParser[] = [dockerStep, buildkitStep, makingBundle, percent];

// CSI and OSC escape sequences (colours, cursor moves, titles).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Feeds arbitrary chunks of output and returns progress found in complete
 * lines; a line split across chunks is kept until its end arrives.
 */
export class ProgressTracker {
  private carry = '';

  constructor(private readonly parsers: readonly ProgressParser[] = PROGRESS_PARSERS) {}

  feed(chunk: string): BuildProgress[] {
    const text = this.carry + chunk;
    const lines = text.split(/\r\n|\n|\r/);
    this.carry = lines.pop() ?? '';
    // Keep memory bounded on output without newlines.
    if (this.carry.length > 64 * 1024) this.carry = this.carry.slice(-64 * 1024);
    return lines.flatMap((l) => this.parse(l));
  }

  /** Parses whatever is left once the stream ends. */
  flush(): BuildProgress[] {
    const last = this.carry;
    this.carry = '';
    return last ? this.parse(last) : [];
  }

  private parse(raw: string): BuildProgress[] {
    // Cheap first-character test before any regex: under a log flood almost
    // no line is progress, and this keeps the extension host responsive.
    const first = raw.trimStart().charAt(0);
    if (first !== 'S' && first !== '#' && first !== '-' && first !== '[' && first !== '\u001b') return [];
    const line = stripAnsi(raw).trim();
    for (const p of this.parsers) {
      const found = p(line);
      if (found) return [found];
    }
    return [];
  }
}
