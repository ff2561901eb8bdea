import { promises as fs } from 'fs';
import * as path from 'path';
import { detectRepository } from '../repo/detect';
import { describeForkCommit, ForkCommit, resolveRemoteRef, ResolvedRef, VendorGitError } from './gitRemote';
import { GoModFile } from './goMod';
import { encodeText, readTextFile, TextEncoding } from './lines';
import { lintGoMod, lintVendorConf } from './lint';
import { VendorProblem } from './problems';
import { parseSemver, pathMajor } from './semver';
import { readUpstreamFile, UpstreamBranch } from './upstream';
import { VendorConf } from './vendorConf';

export type VendorFileKind = 'vendor.conf' | 'vendor.mod' | 'go.mod';

/** A vendor file of a repository. */
export interface VendorFileRef {
  /** Absolute path. */
  path: string;
  /** Relative to the repository root, with `/`. */
  relativePath: string;
  kind: VendorFileKind;
}

/** A vendor file read from disk, with its model and how to write its bytes back. */
export interface VendorDocument extends VendorFileRef {
  encoding: TextEncoding;
  model: VendorConf | GoModFile;
}

/** Parses vendor-file text into the model for its kind (never throws). */
export function parseVendorText(kind: VendorFileKind, text: string, file: string): VendorConf | GoModFile {
  return kind === 'vendor.conf' ? VendorConf.parse(text, file) : GoModFile.parse(text, file);
}

/** The kind of vendor file a path names, by its file name, or null. */
export function vendorFileKind(file: string): VendorFileKind | null {
  const base = path.basename(file);
  return base === 'vendor.conf' || base === 'vendor.mod' || base === 'go.mod' ? base : null;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Every vendor file of a repository: vendor.conf, vendor.mod and go.mod at
 * its root, or for docker-ce (as src/core/repo detects it) those of each
 * component (components/engine, components/cli).
 */
export async function findVendorFiles(root: string): Promise<VendorFileRef[]> {
  const repo = await detectRepository(root);
  const base = repo?.root ?? path.resolve(root);
  let dirs = [''];
  if (repo?.kind === 'docker-ce') {
    const entries = await fs.readdir(path.join(base, 'components'), { withFileTypes: true }).catch(() => []);
    dirs = entries.filter((e) => e.isDirectory()).map((e) => `components/${e.name}`).sort();
  }
  const found: VendorFileRef[] = [];
  for (const dir of dirs) {
    for (const kind of ['vendor.conf', 'vendor.mod', 'go.mod'] as const) {
      const relativePath = dir ? `${dir}/${kind}` : kind;
      const p = path.join(base, relativePath);
      if (await isFile(p)) found.push({ path: p, relativePath, kind });
    }
  }
  return found;
}

export async function loadVendorFile(ref: VendorFileRef): Promise<VendorDocument> {
  const { text, encoding } = await readTextFile(ref.path);
  return { ...ref, encoding, model: parseVendorText(ref.kind, text, ref.path) };
}

/** Writes a document back in the encoding it was read in. */
export async function saveVendorFile(doc: VendorDocument): Promise<void> {
  await fs.writeFile(doc.path, encodeText(doc.model.toString(), doc.encoding));
}

/** Lint problems of a parsed vendor file. */
export function lintVendorModel(model: VendorConf | GoModFile): VendorProblem[] {
  return model instanceof VendorConf ? lintVendorConf(model) : lintGoMod(model);
}

/** One dependency as a vendor file pins it. */
export interface Dependency {
  /** Import path (vendor.conf) or module path. */
  module: string;
  /** The ref (vendor.conf) or required version; null for a replace of a module not required. */
  version: string | null;
  /** The fork: vendor.conf's repository URL, or a replacement `MODULE@VERSION` (a local directory as is); null when none. */
  source: string | null;
  /** True when the source is another repository or module (a replace by the same module at another version is not a fork). */
  forked: boolean;
  /** Vendor file, relative to the repository root. */
  file: string;
  /** Absolute path of the vendor file. */
  path: string;
  /** 1-based line of the entry (of the require, for modules). */
  line: number;
  /** 1-based line of the replace, for modules that have one. */
  replaceLine?: number;
  indirect?: boolean;
}

/** The dependencies a parsed file pins, in file order. */
export function dependenciesOf(ref: VendorFileRef, model: VendorConf | GoModFile): Dependency[] {
  const common = { file: ref.relativePath, path: ref.path };
  if (model instanceof VendorConf) {
    return model.entries.map((e) => ({ module: e.importPath, version: e.ref, source: e.repo, forked: e.repo !== null, line: e.line, ...common }));
  }
  const replaceOf = (module: string, version: string | null) =>
    model.replaces.find((r) => r.module === module && r.moduleVersion === version) ?? model.replaces.find((r) => r.module === module && r.moduleVersion === null);
  const describe = (r: { target: string; targetVersion: string | null }) => (r.targetVersion ? `${r.target}@${r.targetVersion}` : r.target);
  const deps: Dependency[] = model.requires.map((q) => {
    const r = replaceOf(q.module, q.version);
    return {
      module: q.module,
      version: q.version,
      source: r ? describe(r) : null,
      forked: r !== undefined && r.target !== q.module,
      line: q.line,
      ...(r ? { replaceLine: r.line } : {}),
      indirect: q.indirect,
      ...common,
    };
  });
  const required = new Set(model.requires.map((q) => q.module));
  for (const r of model.replaces) {
    if (required.has(r.module)) continue;
    deps.push({ module: r.module, version: r.moduleVersion, source: describe(r), forked: r.target !== r.module, line: r.line, replaceLine: r.line, ...common });
  }
  return deps;
}

/** Every dependency of every vendor file of a repository. */
export async function listDependencies(root: string): Promise<Dependency[]> {
  const files = await findVendorFiles(root);
  const docs = await Promise.all(files.map(loadVendorFile));
  return docs.flatMap((d) => dependenciesOf(d, d.model));
}

/** Lint problems of every vendor file of a repository. */
export async function checkRepository(root: string): Promise<VendorProblem[]> {
  const docs = await Promise.all((await findVendorFiles(root)).map(loadVendorFile));
  return docs.flatMap((d) => lintVendorModel(d.model));
}

/** A repository URL for `--repo`: a URL or `user@host:path` as given, a bare `host/path` as https. */
export function repositoryUrl(repo: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo) || path.isAbsolute(repo)) return repo;
  return `https://${repo.replace(/^\/+/, '')}`;
}

/**
 * The Go module path of a fork from its repository URL (`https://github.com/me/containerd.git`
 * → `github.com/me/containerd`), keeping the `/vN` suffix the original module has.
 */
export function forkModulePath(repoUrl: string, originalModule: string): string {
  let hostPath: string;
  const scp = /^[^/\s@]+@([^/\s:]+):(.+)$/.exec(repoUrl);
  if (scp) hostPath = `${scp[1]}/${scp[2]}`;
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repoUrl) && !repoUrl.startsWith('file:')) {
    const u = new URL(repoUrl);
    hostPath = `${u.hostname}${u.pathname}`;
  } else if (!path.isAbsolute(repoUrl) && !repoUrl.startsWith('file:')) hostPath = repoUrl;
  else throw new Error(`cannot tell a Go module path from ${repoUrl}; give the fork's module path`);
  hostPath = hostPath.replace(/\/+$/, '').replace(/\.git$/, '');
  const major = pathMajor(originalModule);
  return major && !originalModule.startsWith('gopkg.in/') && !hostPath.endsWith(`/${major}`) ? `${hostPath}/${major}` : hostPath;
}

export interface ForkOptions {
  /** The fork's repository: a git URL, or `host/path` (taken as https). */
  repo: string;
  /** Branch, tag or commit of the fork; vendor.conf keeps its ref and go.mod uses the fork's HEAD when omitted. */
  ref?: string;
  /** A Go version to write instead of working one out (needed offline for go.mod / vendor.mod). */
  version?: string;
  /** The fork's Go module path, when it cannot be read off the URL. */
  forkModule?: string;
  /** Do not touch the network: refs are written as given, with a warning. */
  offline?: boolean;
  /** Only this vendor file (absolute or relative to the root); by default every file that lists the module. */
  file?: string;
  /** Compute and return the edits without writing the files. */
  dryRun?: boolean;
}

/** What an edit did to one file. */
export interface VendorEdit {
  file: string;
  path: string;
  /** Lines changed or added (numbers after the edit). */
  changedLines: number[];
  /** Lines removed (numbers before the edit). */
  removedLines: number[];
  /** The new file text. */
  text: string;
}

export interface ForkResult {
  edits: VendorEdit[];
  /** The ref as resolved on the fork (null offline or with an explicit version and no ref). */
  resolved: ResolvedRef | ForkCommit | null;
  /** The module-file version written, if any. */
  version: string | null;
  warnings: string[];
}

async function docsListing(root: string, module: string, file: string | undefined): Promise<VendorDocument[]> {
  let files = await findVendorFiles(root);
  if (file !== undefined) {
    const abs = path.resolve(root, file);
    files = files.filter((f) => f.path === abs);
    if (files.length === 0) {
      const kind = vendorFileKind(abs);
      if (!kind || !(await isFile(abs))) throw new Error(`${file} is not a vendor file of ${root}`);
      files = [{ path: abs, relativePath: path.relative(root, abs).split(path.sep).join('/'), kind }];
    }
  }
  const docs = await Promise.all(files.map(loadVendorFile));
  const listing = docs.filter((d) => dependenciesOf(d, d.model).some((dep) => dep.module === module));
  if (listing.length === 0) {
    const where = files.map((f) => f.relativePath).join(', ') || 'no vendor file';
    throw new Error(`${module} is not listed in ${where} under ${root}`);
  }
  return listing;
}

function editOf(doc: VendorDocument, changedLines: number[], removedLines: number[]): VendorEdit {
  return { file: doc.relativePath, path: doc.path, changedLines, removedLines, text: doc.model.toString() };
}

/**
 * Points a dependency at a fork in every vendor file that lists it. vendor.conf
 * gets the repository as its third field (and the ref: a branch is pinned to
 * its commit, a tag or commit is written as given); go.mod / vendor.mod get
 * `replace MODULE => FORK_MODULE VERSION` with the fork commit's version.
 */
export async function forkDependency(root: string, module: string, options: ForkOptions): Promise<ForkResult> {
  const url = repositoryUrl(options.repo);
  const docs = await docsListing(root, module, options.file);
  const warnings: string[] = [];
  if (options.version !== undefined && parseSemver(options.version) === null) throw new Error(`'${options.version}' is not a Go version (vX.Y.Z…)`);
  let resolved: ResolvedRef | ForkCommit | null = null;
  const needsModuleVersion = docs.some((d) => d.model instanceof GoModFile) && options.version === undefined;
  const forkModule = docs.some((d) => d.model instanceof GoModFile) ? options.forkModule ?? forkModulePath(url, module) : null;
  if (options.offline) {
    if (needsModuleVersion) throw new Error(`offline, the version of the fork's commit cannot be worked out; give it (e.g. --version v0.0.0-20240101000000-abcdefabcdef)`);
    warnings.push(`offline: ${url}${options.ref ? ` and ref '${options.ref}'` : ''} were not checked`);
  } else if (needsModuleVersion) {
    try {
      resolved = await describeForkCommit(url, options.ref, forkModule!);
    } catch (e) {
      // The module file cannot be made valid without the commit: say how to go on without it.
      if (e instanceof VendorGitError) throw new VendorGitError(`${e.message}; the fork's version cannot be worked out (give it with a version and offline mode to write it anyway)`);
      throw e;
    }
  } else if (options.ref !== undefined || docs.some((d) => d.model instanceof VendorConf)) {
    resolved = await resolveRemoteRef(url, options.ref ?? 'HEAD');
  }
  const version = forkModule === null ? null : options.version ?? (resolved as ForkCommit).version;
  const confRef = options.ref === undefined ? undefined : resolved?.kind === 'branch' ? resolved.commit : options.ref;
  const edits: VendorEdit[] = [];
  for (const doc of docs) {
    if (doc.model instanceof VendorConf) {
      const line = doc.model.setEntry(module, { repo: url, ref: confRef });
      edits.push(editOf(doc, [line], []));
    } else {
      const lines = doc.model.setReplace(module, forkModule!, version);
      edits.push(editOf(doc, lines, []));
    }
  }
  // Written only once every file took its edit, so a refused edit leaves all files as they were.
  if (!options.dryRun) for (const doc of docs) await saveVendorFile(doc);
  return { edits, resolved, version, warnings };
}

export interface ResetResult {
  edits: VendorEdit[];
  upstream: UpstreamBranch;
}

/**
 * Puts a dependency back as the upstream branch has it (`git show
 * upstream/BRANCH:FILE`): vendor.conf gets upstream's ref and repository,
 * a module file gets upstream's replace or loses its own.
 */
export async function resetDependency(root: string, module: string, options: { file?: string; dryRun?: boolean } = {}): Promise<ResetResult> {
  const docs = await docsListing(root, module, options.file);
  const edits: VendorEdit[] = [];
  let upstream: UpstreamBranch | undefined;
  for (const doc of docs) {
    const theirs = await readUpstreamFile(root, doc.path);
    upstream = theirs.upstream;
    const theirModel = parseVendorText(doc.kind, theirs.text, `${theirs.upstream.revision}:${theirs.relativePath}`);
    if (doc.model instanceof VendorConf) {
      const entry = (theirModel as VendorConf).find(module)[0];
      if (!entry) throw new VendorGitError(`${module} is not in ${theirs.upstream.revision}:${theirs.relativePath}; remove the line by hand if it is yours`);
      edits.push(editOf(doc, [doc.model.setEntry(module, { ref: entry.ref, repo: entry.repo })], []));
    } else {
      const their = (theirModel as GoModFile).findReplaces(module);
      if (their.length === 0) edits.push(editOf(doc, [], doc.model.removeReplace(module)));
      else edits.push(editOf(doc, doc.model.setReplace(module, their[0].target, their[0].targetVersion), []));
    }
  }
  if (!options.dryRun) for (const doc of docs) await saveVendorFile(doc);
  return { edits, upstream: upstream! };
}
