import { LineSplitter, stripAnsi } from '../util/lines';
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

/** Text every line those parsers accept contains: other lines are never cut out of the output. */
export const PROGRESS_NEEDLES: readonly string[] = ['Step ', '#', 'Making bundle', '%]'];

/**
 * Feeds arbitrary chunks of output and returns progress found in complete
 * lines; a line split across chunks is kept until its end arrives.
 */
export class ProgressTracker {
  private readonly lines = new LineSplitter();

  /** Custom parsers come with the texts their lines contain, or none (every line is tried). */
  constructor(
    private readonly parsers: readonly ProgressParser[] = PROGRESS_PARSERS,
    private readonly needles: readonly string[] | undefined = parsers === PROGRESS_PARSERS ? PROGRESS_NEEDLES : undefined,
  ) {}

  feed(chunk: string): BuildProgress[] {
    const found: BuildProgress[] = [];
    const parse = (line: string) => this.parse(line, found);
    if (this.needles) this.lines.eachContaining(chunk, this.needles, parse);
    else this.lines.each(chunk, parse);
    return found;
  }

  /** Parses whatever is left once the stream ends. */
  flush(): BuildProgress[] {
    const found: BuildProgress[] = [];
    for (const line of this.lines.flush()) this.parse(line, found);
    return found;
  }

  private parse(raw: string, found: BuildProgress[]): void {
    // Cheap first-character test before any regex: under a log flood almost
    // no line is progress, and this keeps the extension host responsive.
    let i = 0;
    while (raw.charCodeAt(i) === 32 || raw.charCodeAt(i) === 9) i++;
    const first = raw.charAt(i);
    if (first !== 'S' && first !== '#' && first !== '-' && first !== '[' && first !== '\u001b') return;
    const line = stripAnsi(raw).trim();
    for (const p of this.parsers) {
      const progress = p(line);
      if (progress) {
        found.push(progress);
        return;
      }
    }
  }
}
