import * as path from 'path';

/** A compiler message mapped to a file of the workspace. */
export interface BuildProblem {
  /** Absolute path on this machine. */
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

// Go: `path/file.go:12:5: message` or `path/file.go:12: message`, maybe indented or prefixed with `# pkg` lines.
const GO_MESSAGE = /^\s*((?:\/|\.\/)?[\w@.+\-/]+\.go):(\d+)(?::(\d+))?: (.+)$/;

/**
 * Go compiler and vet messages from a build's output, with container paths
 * (`/go/src/github.com/docker/docker/daemon/x.go`) and relative paths mapped
 * to the repository on this machine. Paths outside the source are dropped.
 */
export function parseGoProblems(output: string, repoRoot: string, sourcePath?: string): BuildProblem[] {
  const problems: BuildProblem[] = [];
  const seen = new Set<string>();
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    const m = GO_MESSAGE.exec(line);
    if (!m) continue;
    let rel: string | undefined;
    if (m[1].startsWith('/')) {
      if (sourcePath && m[1].startsWith(sourcePath.replace(/\/$/, '') + '/')) rel = m[1].slice(sourcePath.replace(/\/$/, '').length + 1);
      else if (m[1].startsWith(repoRoot + '/')) rel = m[1].slice(repoRoot.length + 1);
    } else {
      rel = m[1].replace(/^\.\//, '');
    }
    if (!rel || rel.split('/').includes('..')) continue;
    const file = path.join(repoRoot, rel);
    const key = `${file}:${m[2]}:${m[3]}:${m[4]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined, message: m[4], severity: /^warning: /i.test(m[4]) ? 'warning' : 'error' });
  }
  return problems;
}

/**
 * Collects, from output arriving in chunks, only the lines that can be Go
 * compiler messages, so a build's whole log is never held in memory.
 */
export class GoProblemLines {
  private carry = '';
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 5000) {}

  feed(chunk: string): void {
    const text = this.carry + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      this.carry = text.length > 64 * 1024 ? '' : text;
      return;
    }
    this.carry = text.slice(cut + 1);
    if (!text.includes('.go:')) return;
    for (const line of text.slice(0, cut).split('\n')) {
      if (line.includes('.go:') && this.lines.length < this.maxLines) this.lines.push(line);
    }
  }

  /** The candidate lines so far, for parseGoProblems. */
  text(): string {
    return [...this.lines, this.carry].join('\n');
  }
}
