// Fork and reset edits on a vendor file's TEXT (an editor's unsaved buffer),
// the same edits forkDependency / resetDependency make on the files on disk.
import { describeForkCommit, ForkCommit, resolveRemoteRef, ResolvedRef, VendorGitError } from './gitRemote';
import { GoModFile } from './goMod';
import { splitLines } from './lines';
import { parseSemver } from './semver';
import { readUpstreamFile, UpstreamBranch } from './upstream';
import { VendorConf } from './vendorConf';
import { forkModulePath, ForkOptions, parseVendorText, repositoryUrl, VendorFileKind } from './repository';

/** A vendor file's text after an edit, and which lines it touched. */
export interface TextEditResult {
  text: string;
  /** Lines changed or added (numbers after the edit). */
  changedLines: number[];
  /** Lines removed (numbers before the edit). */
  removedLines: number[];
}

export interface TextForkResult extends TextEditResult {
  resolved: ResolvedRef | ForkCommit | null;
  version: string | null;
  warnings: string[];
}

/**
 * Points `module` at a fork in one vendor file's text, resolving the ref (and,
 * for module files, the fork commit's version) as forkDependency does.
 * Throws, leaving nothing changed, when the module is not in the text or
 * the fork cannot be reached (VendorGitError).
 */
export async function forkInText(kind: VendorFileKind, text: string, file: string, module: string, options: Omit<ForkOptions, 'file' | 'dryRun'>): Promise<TextForkResult> {
  const model = parseVendorText(kind, text, file);
  const listed = model instanceof VendorConf ? model.find(module).length > 0 : model.requires.some((r) => r.module === module) || model.findReplaces(module).length > 0;
  if (!listed) throw new Error(`${module} is not listed in ${file}`);
  if (options.version !== undefined && parseSemver(options.version) === null) throw new Error(`'${options.version}' is not a Go version (vX.Y.Z…)`);
  const url = repositoryUrl(options.repo);
  const warnings: string[] = [];
  let resolved: ResolvedRef | ForkCommit | null = null;
  if (model instanceof GoModFile) {
    const forkModule = options.forkModule ?? forkModulePath(url, module);
    let version = options.version ?? null;
    if (version === null) {
      if (options.offline) throw new Error(`offline, the version of the fork's commit cannot be worked out; give it (e.g. v0.0.0-20240101000000-abcdefabcdef)`);
      try {
        const commit = await describeForkCommit(url, options.ref, forkModule);
        resolved = commit;
        version = commit.version;
      } catch (e) {
        if (e instanceof VendorGitError) throw new VendorGitError(`${e.message}; the fork's version cannot be worked out (give it with a version and offline mode to write it anyway)`);
        throw e;
      }
    } else if (options.offline) {
      warnings.push(`offline: ${url} was not checked`);
    }
    const changedLines = model.setReplace(module, forkModule, version);
    return { text: model.toString(), changedLines, removedLines: [], resolved, version, warnings };
  }
  if (options.offline) warnings.push(`offline: ${url}${options.ref ? ` and ref '${options.ref}'` : ''} were not checked`);
  else resolved = await resolveRemoteRef(url, options.ref ?? 'HEAD');
  // A branch moves: pin the commit it is at now; a tag or commit is written as given.
  const ref = options.ref === undefined ? undefined : resolved?.kind === 'branch' ? resolved.commit : options.ref;
  const line = model.setEntry(module, { repo: url, ref });
  return { text: model.toString(), changedLines: [line], removedLines: [], resolved, version: null, warnings };
}

/**
 * Puts `module` back, in one vendor file's text, as the upstream branch's copy
 * of that file (`upstream/BRANCH:FILE`) has it.
 */
export async function resetInText(root: string, kind: VendorFileKind, text: string, filePath: string, module: string): Promise<TextEditResult & { upstream: UpstreamBranch }> {
  const model = parseVendorText(kind, text, filePath);
  const theirs = await readUpstreamFile(root, filePath);
  const theirModel = parseVendorText(kind, theirs.text, `${theirs.upstream.revision}:${theirs.relativePath}`);
  if (model instanceof VendorConf) {
    const entry = (theirModel as VendorConf).find(module)[0];
    if (!entry) throw new VendorGitError(`${module} is not in ${theirs.upstream.revision}:${theirs.relativePath}; remove the line by hand if it is yours`);
    const line = model.setEntry(module, { ref: entry.ref, repo: entry.repo });
    return { text: model.toString(), changedLines: [line], removedLines: [], upstream: theirs.upstream };
  }
  const their = (theirModel as GoModFile).findReplaces(module);
  if (their.length === 0) return { removedLines: model.removeReplace(module), changedLines: [], text: model.toString(), upstream: theirs.upstream };
  const changedLines = model.setReplace(module, their[0].target, their[0].targetVersion);
  return { text: model.toString(), changedLines, removedLines: [], upstream: theirs.upstream };
}

/** The smallest replacement, in whole lines, that turns `before` into `after`: character offsets into `before` and the text to put there. */
export interface LineReplacement {
  start: number;
  end: number;
  text: string;
}

/**
 * Compares two texts line by line (line endings included) and returns the
 * span of `before` that differs and what replaces it, or null when equal, so
 * an editor applies only the lines an edit changed and keeps the rest of an
 * unsaved buffer (and its undo history) as it is.
 */
export function lineReplacement(before: string, after: string): LineReplacement | null {
  if (before === after) return null;
  const a = splitLines(before).map((l) => l.text + l.eol);
  const b = splitLines(after).map((l) => l.text + l.eol);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const start = a.slice(0, head).join('').length;
  const end = before.length - a.slice(a.length - tail).join('').length;
  return { start, end, text: b.slice(head, b.length - tail).join('') };
}
