import * as path from 'path';
import { LineSplitter, splitLines, stripAnsi } from '../util/lines';
import { BuildRecipe } from './recipe';

/** A compiler message mapped to a file of the workspace. */
export interface BuildProblem {
  /** Absolute path on this machine. */
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** A folder of a build container that holds a folder of the repository. */
export interface ContainerMount {
  /** Absolute path in the container, e.g. `/go/src/github.com/docker/docker`. */
  readonly container: string;
  /** Relative to the repository root; `''` for the root itself. */
  readonly repo: string;
}

/** How the paths a build prints map to files of the repository. */
export interface ProblemPaths {
  /** Absolute repository root on this machine. */
  readonly repoRoot: string;
  /**
   * Where a relative path may be relative to, relative to the repository
   * root, most likely first: the make directory of a host target, the
   * folders a build container works in.
   */
  readonly workDirs: readonly string[];
  /** Container folders that are repository folders (the source mount and, in docker-ce, each component). */
  readonly mounts: readonly ContainerMount[];
  /**
   * When given, a path counts only if the file exists, and the first
   * existing candidate wins; without it the first candidate is taken.
   */
  readonly exists?: (file: string) => boolean;
}

/** Where moby and docker/cli sit in their build containers' GOPATH, in every era. */
export const GOPATH_ENGINE = '/go/src/github.com/docker/docker';
export const GOPATH_CLI = '/go/src/github.com/docker/cli';

/**
 * The path mapping for a recipe's output. Container targets print paths
 * under their source mount and relative to it; host targets print paths
 * relative to their make directory, and the containers their Makefiles
 * start print the usual GOPATH paths. docker-ce builds its engine and cli
 * from `components/engine` and `components/cli`, mounted at those paths.
 */
export function problemPathsFor(recipe: BuildRecipe, options: { dockerCe?: boolean; exists?: (file: string) => boolean } = {}): ProblemPaths {
  const components: ContainerMount[] = options.dockerCe
    ? [{ container: GOPATH_ENGINE, repo: 'components/engine' }, { container: GOPATH_CLI, repo: 'components/cli' }]
    : [{ container: GOPATH_ENGINE, repo: '' }, { container: GOPATH_CLI, repo: '' }];
  const own: ContainerMount[] = recipe.executor === 'container' ? [{ container: recipe.sourcePath, repo: '' }] : [];
  const workDirs = recipe.executor === 'host' ? [path.posix.normalize(recipe.cwd).replace(/^\.$/, ''), ''] : [''];
  if (options.dockerCe) workDirs.push('components/engine', 'components/cli');
  return { repoRoot: recipe.repoRoot, workDirs: [...new Set(workDirs)], mounts: [...own, ...components], exists: options.exists };
}

// Go: `path/file.go:12:5: message` or `path/file.go:12: message`, maybe indented.
const GO_MESSAGE = /^\s*((?:\/|\.\/)?[\w@.+\-/]+\.go):(\d+)(?::(\d+))?: (.+)$/;
// BuildKit plain progress puts `#<vertex> <seconds> ` before each log line of
// a step; newer clients repeat the failing step's log as `<seconds> line`.
const BUILDKIT_PREFIX = /^(?:#\d+ \d+(?:\.\d+)? |\d+\.\d+ )/;
// `go build` names the package before its errors: `# github.com/docker/docker/daemon [….test]`.
const PACKAGE_HEADER = /^# ([\w.\-/@+]+)(?: \[[^\]]*\])?$/;

/** One line as the compiler printed it: colours and BuildKit's step prefix removed. */
export function compilerLine(raw: string): string {
  return stripAnsi(raw).replace(BUILDKIT_PREFIX, '');
}

/**
 * Go compiler and vet messages from a build's output, mapped to files of
 * the repository on this machine. Paths outside the repository are dropped.
 */
export function parseGoProblems(output: string, paths: ProblemPaths): BuildProblem[];
/** @deprecated pass ProblemPaths (problemPathsFor); kept for callers of the first signature. */
export function parseGoProblems(output: string, repoRoot: string, sourcePath?: string): BuildProblem[];
export function parseGoProblems(output: string, pathsOrRoot: ProblemPaths | string, sourcePath?: string): BuildProblem[] {
  const paths: ProblemPaths =
    typeof pathsOrRoot === 'string' ? { repoRoot: pathsOrRoot, workDirs: [''], mounts: sourcePath ? [{ container: sourcePath, repo: '' }] : [] } : pathsOrRoot;
  const problems: BuildProblem[] = [];
  const seen = new Set<string>();
  let pkg: string | undefined;
  for (const raw of splitLines(output)) {
    const line = compilerLine(raw).replace(/^vet: /, '');
    const header = PACKAGE_HEADER.exec(line);
    if (header) {
      pkg = header[1];
      continue;
    }
    const m = GO_MESSAGE.exec(line);
    if (!m) continue;
    const file = resolveFile(m[1], pkg, paths);
    if (!file) continue;
    const key = `${file}:${m[2]}:${m[3]}:${m[4]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined, message: m[4], severity: /^warning: /i.test(m[4]) ? 'warning' : 'error' });
  }
  return problems;
}

function under(parent: string, p: string): string | undefined {
  const base = parent.replace(/\/$/, '');
  return p.startsWith(base + '/') ? p.slice(base.length + 1) : undefined;
}

/** The candidate files, repository-relative, a printed path can mean, most likely first. */
function candidates(printed: string, pkg: string | undefined, paths: ProblemPaths): string[] {
  if (printed.startsWith('/')) {
    // The longest mount first: docker-ce's components are below nothing, but a user's source path may be.
    const mounts = [...paths.mounts].sort((a, b) => b.container.length - a.container.length);
    for (const mount of mounts) {
      const rest = under(mount.container, printed);
      if (rest !== undefined) return [path.posix.join(mount.repo, rest)];
    }
    const onHost = under(paths.repoRoot, printed);
    return onHost !== undefined ? [onHost] : [];
  }
  const rel = printed.replace(/^\.\//, '');
  const found = paths.workDirs.map((d) => path.posix.join(d, rel));
  // `go build` run inside a package folder prints `./file.go`: the package
  // header before it says which folder, through the GOPATH of a mount.
  if (pkg && !rel.includes('/')) {
    for (const mount of paths.mounts) {
      const importPrefix = under('/go/src', mount.container);
      const inPkg = importPrefix === undefined ? undefined : pkg === importPrefix ? '' : under(importPrefix, pkg);
      if (inPkg !== undefined) found.push(path.posix.join(mount.repo, inPkg, rel));
    }
  }
  return found;
}

function resolveFile(printed: string, pkg: string | undefined, paths: ProblemPaths): string | undefined {
  for (const rel of candidates(printed, pkg, paths)) {
    const normal = path.posix.normalize(rel);
    if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) continue;
    const file = path.join(paths.repoRoot, normal);
    if (!paths.exists) return file;
    if (paths.exists(file)) return file;
  }
  return undefined;
}

/**
 * Collects, from output arriving in chunks, only the lines that can matter
 * for Go problems (messages, and the package header just before them), so
 * a build's whole log is never held in memory.
 */
export class GoProblemLines {
  private readonly splitter = new LineSplitter();
  private readonly lines: string[] = [];
  private header: string | undefined;
  private readonly keep = (line: string): void => {
    if (line.includes('.go:')) {
      if (this.lines.length >= this.maxLines) return;
      if (this.header !== undefined) this.lines.push(this.header);
      this.header = undefined;
      this.lines.push(line);
    } else if (line.includes('# ') && PACKAGE_HEADER.test(compilerLine(line))) {
      this.header = line;
    }
  };

  constructor(private readonly maxLines = 5000) {}

  feed(chunk: string): void {
    this.splitter.eachContaining(chunk, ['.go:', '# '], this.keep);
  }

  /** The candidate lines so far, for parseGoProblems; the unfinished last line counts once the output has ended. */
  text(): string {
    this.splitter.flush().forEach(this.keep);
    return this.lines.join('\n');
  }
}
