import { gitAt } from './gitRemote';

/** One file under vendor/ that differs from the last commit. */
export interface VendorFileChange {
  /** Relative to the repository root, with `/`. */
  file: string;
  status: 'added' | 'modified' | 'deleted';
  /** Lines added and removed (null for binary files or untracked ones). */
  added: number | null;
  removed: number | null;
}

/**
 * What changed under `vendor/<module>/` since the last commit (what a
 * re-vendor just did for a forked dependency): tracked changes from
 * `git diff --numstat HEAD`, and new files from `git status`.
 */
export async function vendorChanges(root: string, module: string): Promise<VendorFileChange[]> {
  const dir = `vendor/${module}/`;
  const git = gitAt(root);
  const numstat = await git.raw(['diff', '--numstat', '--no-renames', 'HEAD', '--', dir]);
  const status = await git.raw(['status', '--porcelain=v1', '--untracked-files=all', '--no-renames', '--', dir]);
  const byFile = new Map<string, VendorFileChange>();
  for (const line of status.split('\n')) {
    if (line.length < 4) continue;
    const code = line.slice(0, 2);
    const file = unquote(line.slice(3));
    byFile.set(file, { file, status: code === '??' || code.includes('A') ? 'added' : code.includes('D') ? 'deleted' : 'modified', added: null, removed: null });
  }
  for (const line of numstat.split('\n')) {
    const [a, r, file] = line.split('\t');
    if (file === undefined) continue;
    const name = unquote(file);
    const entry = byFile.get(name) ?? { file: name, status: 'modified' as const, added: null, removed: null };
    byFile.set(name, { ...entry, added: a === '-' ? null : Number(a), removed: r === '-' ? null : Number(r) });
  }
  return [...byFile.values()].sort((x, y) => x.file.localeCompare(y.file));
}

/** git quotes paths with unusual characters ("a\tb"); those are shown as git wrote them, less the quotes. */
function unquote(p: string): string {
  return p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1) : p;
}

/** A short summary of a change, like git's --stat: `modified +3 -1`. */
export function describeVendorChange(c: VendorFileChange): string {
  return c.added === null ? c.status : `${c.status} +${c.added} -${c.removed}`;
}
