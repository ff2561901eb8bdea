import { GoModFile, isLocalPath } from './goMod';
import { VendorProblem } from './problems';
import { VendorConf } from './vendorConf';

/**
 * Hosts whose repository root is a fixed number of path elements, as vndr
 * (through Go's vcs rules) knows them; for other hosts the root cannot be
 * told without asking the network, so no root check is made.
 */
const ROOT_RULES: Array<{ pattern: RegExp; elements: number }> = [
  { pattern: /^(github\.com|gitlab\.com|bitbucket\.org)\//, elements: 3 },
  { pattern: /^golang\.org\/x\//, elements: 3 },
  { pattern: /^(google\.golang\.org|k8s\.io|sigs\.k8s\.io|go\.etcd\.io|go\.opencensus\.io|go\.uber\.org|gotest\.tools|honnef\.co\/go)\//, elements: 0 },
  { pattern: /^hub\.jazz\.net\/git\//, elements: 4 },
  { pattern: /^launchpad\.net\//, elements: 2 },
];

/**
 * The repository root of an import path under a known host, or null when the
 * host has no fixed rule. `gopkg.in/pkg.v1` and `gopkg.in/user/pkg.v1` end at
 * the `.vN` element.
 */
export function repositoryRoot(importPath: string): string | null {
  const parts = importPath.split('/');
  if (parts[0] === 'gopkg.in') {
    const v = parts.findIndex((p, i) => i > 0 && /\.v[0-9]+(-unstable)?$/.test(p));
    return v > 0 ? parts.slice(0, v + 1).join('/') : null;
  }
  for (const rule of ROOT_RULES) {
    if (!rule.pattern.test(importPath)) continue;
    // Vanity hosts: the root is host + first element (k8s.io/client-go); honnef.co/go has one more.
    const n = rule.elements || (importPath.startsWith('honnef.co/go/') ? 3 : 2);
    return parts.length >= n ? parts.slice(0, n).join('/') : null;
  }
  return null;
}

const IMPORT_PATH = /^[A-Za-z0-9][A-Za-z0-9._~+-]*(\/[A-Za-z0-9._~+-]+)*$/;

/** A repository URL vndr can hand to git: scheme://host/path, user@host:path, or an absolute local path. */
export function isRepositoryUrl(url: string): boolean {
  if (/^(https?|git|ssh|git\+ssh|ssh\+git|file):\/\/[^\s/@]*@?[^\s/@]+(\/\S*)?$/.test(url)) {
    if (url.startsWith('file://')) return true;
    try {
      return new URL(url).hostname !== '';
    } catch {
      return false;
    }
  }
  return /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(url) || /^\/\S+$/.test(url);
}

/** vndr's errors and a few of its likely mistakes, before a build finds them. */
export function lintVendorConf(conf: VendorConf): VendorProblem[] {
  const problems = [...conf.problems];
  const seen = new Map<string, number>();
  const at = (line: number, span: { start: number; end: number }) => ({ file: conf.file, line, column: span.start + 1, endColumn: span.end + 1 });
  for (const e of conf.entries) {
    const first = seen.get(e.importPath);
    if (first !== undefined) {
      problems.push({ ...at(e.line, e.fields[0]), severity: 'error', message: `duplicate import path ${e.importPath} (first on line ${first})` });
    } else {
      seen.set(e.importPath, e.line);
    }
    if (!IMPORT_PATH.test(e.importPath)) {
      problems.push({ ...at(e.line, e.fields[0]), severity: 'error', message: `'${e.importPath}' is not an import path` });
    } else {
      const root = repositoryRoot(e.importPath);
      // A Go module's major-version path (`github.com/coreos/go-systemd/v22`, as
      // moby 20.10's vendor.conf has) is the repository root plus `/vN`.
      const majorVersionPath = root !== null && e.importPath.startsWith(`${root}/`) && /^v([2-9]|[1-9][0-9]+)$/.test(e.importPath.slice(root.length + 1));
      if (root !== null && root !== e.importPath && !majorVersionPath) {
        problems.push({ ...at(e.line, e.fields[0]), severity: 'error', message: `${e.importPath} is not a repository root; vendor ${root} instead` });
      }
    }
    if (e.repo !== null && !isRepositoryUrl(e.repo)) {
      problems.push({ ...at(e.line, e.fields[2]), severity: 'error', message: `malformed repository URL '${e.repo}' (expected https://host/path, git://host/path, ssh://…, user@host:path or an absolute path)` });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}

/** Parse errors, a replace with no version that is not a local directory, duplicate requires and replaces. */
export function lintGoMod(mod: GoModFile): VendorProblem[] {
  const problems = [...mod.problems];
  const requires = new Map<string, number>();
  for (const r of mod.requires) {
    const first = requires.get(r.module);
    if (first !== undefined) problems.push({ file: mod.file, line: r.line, severity: 'error', message: `${r.module} is required twice (first on line ${first})` });
    else requires.set(r.module, r.line);
  }
  const replaces = new Map<string, number>();
  for (const r of mod.replaces) {
    const key = `${r.module}@${r.moduleVersion ?? ''}`;
    const first = replaces.get(key);
    if (first !== undefined) problems.push({ file: mod.file, line: r.line, severity: 'error', message: `${r.module} is replaced twice (first on line ${first})` });
    else replaces.set(key, r.line);
    if (r.targetVersion === null && !isLocalPath(r.target)) {
      problems.push({ file: mod.file, line: r.line, severity: 'error', message: `replace of ${r.module} by ${r.target} has no version; a module replacement needs one (only a local directory like ./${r.target.split('/').pop()} needs none)` });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}
