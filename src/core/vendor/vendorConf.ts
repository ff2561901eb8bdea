import { joinLines, SourceLine, splitLines } from './lines';
import { VendorProblem } from './problems';

/** Where a field sits in its line: 0-based offsets into the line's text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** One dependency line of a vendor.conf: `IMPORT_PATH REF [REPOSITORY_URL] [# comment]`. */
export interface VendorConfEntry {
  /** 1-based line number. */
  readonly line: number;
  readonly importPath: string;
  /** Commit, tag or branch, as written. */
  readonly ref: string;
  /** The third field: the repository to fetch from instead of the import path (a fork), or null. */
  readonly repo: string | null;
  /** The trailing comment from its `#`, or null. */
  readonly comment: string | null;
  /** Spans of the 2 or 3 fields, in order. */
  readonly fields: readonly Span[];
}

interface ParsedLine {
  entry?: VendorConfEntry;
  problem?: VendorProblem;
}

/**
 * Parses one line the way vndr does: a line whose trimmed text is empty or
 * starts with `#` is ignored; otherwise everything from the first `#` is a
 * comment, and the rest must be 2 or 3 whitespace-separated fields.
 */
function parseLine(text: string, line: number, file: string): ParsedLine {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return {};
  const hash = text.indexOf('#');
  const content = hash >= 0 ? text.slice(0, hash) : text;
  const fields: Span[] = [];
  for (const m of content.matchAll(/\S+/g)) fields.push({ start: m.index, end: m.index + m[0].length });
  if (fields.length !== 2 && fields.length !== 3) {
    const first = fields[0] ?? { start: 0, end: text.length };
    return {
      problem: {
        file,
        line,
        column: first.start + 1,
        endColumn: (fields[fields.length - 1] ?? first).end + 1,
        severity: 'error',
        message: `expected 2 or 3 fields (import path, revision, optional repository URL), found ${fields.length}; the line is kept as it is`,
      },
    };
  }
  const value = (s: Span) => text.slice(s.start, s.end);
  return {
    entry: {
      line,
      importPath: value(fields[0]),
      ref: value(fields[1]),
      repo: fields[2] ? value(fields[2]) : null,
      comment: hash >= 0 ? text.slice(hash) : null,
      fields,
    },
  };
}

/** A new revision and repository for an entry; `repo: null` drops the third field. */
export interface VendorConfChange {
  ref?: string;
  repo?: string | null;
}

/**
 * A vndr `vendor.conf`, held line by line with every byte of the original:
 * `toString()` of an unedited file is the file. Edits rewrite only the line
 * they concern; lines that do not parse are reported in `problems` and kept.
 */
export class VendorConf {
  private readonly lines: SourceLine[];
  private parsed: ParsedLine[];

  private constructor(readonly file: string, text: string) {
    this.lines = splitLines(text);
    this.parsed = this.lines.map((l, i) => parseLine(l.text, i + 1, file));
  }

  /** Parses text; never throws. `file` is used in problems. */
  static parse(text: string, file = 'vendor.conf'): VendorConf {
    return new VendorConf(file, text);
  }

  /** The dependency entries, in file order. */
  get entries(): VendorConfEntry[] {
    return this.parsed.flatMap((p) => (p.entry ? [p.entry] : []));
  }

  /** Lines that are not valid vndr syntax (kept verbatim). */
  get problems(): VendorProblem[] {
    return this.parsed.flatMap((p) => (p.problem ? [p.problem] : []));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    return this.lines[line - 1]?.text ?? '';
  }

  /** The entries for an import path (more than one is a lint error). */
  find(importPath: string): VendorConfEntry[] {
    return this.entries.filter((e) => e.importPath === importPath);
  }

  toString(): string {
    return joinLines(this.lines);
  }

  /**
   * Sets an entry's revision and/or repository; returns the line changed.
   * Throws when the import path is missing or listed twice (the file is left alone).
   */
  setEntry(importPath: string, change: VendorConfChange): number {
    const found = this.find(importPath);
    if (found.length === 0) throw new Error(`${this.file}: no entry for ${importPath}`);
    if (found.length > 1) throw new Error(`${this.file}: ${importPath} is listed ${found.length} times (lines ${found.map((e) => e.line).join(', ')}); remove the duplicates first`);
    const entry = found[0];
    const ref = change.ref ?? entry.ref;
    const repo = change.repo === undefined ? entry.repo : change.repo;
    for (const v of [ref, repo ?? 'x']) {
      if (!/^[^\s#]+$/.test(v)) throw new Error(`'${v}' cannot be a vendor.conf field (it is empty or holds whitespace or '#')`);
    }
    const text = this.renderEntry(entry, repo === null ? [entry.importPath, ref] : [entry.importPath, ref, repo]);
    this.lines[entry.line - 1] = { ...this.lines[entry.line - 1], text };
    this.parsed[entry.line - 1] = parseLine(text, entry.line, this.file);
    return entry.line;
  }

  /** Names a fork: the repository URL, and optionally a new revision. */
  setFork(importPath: string, repo: string, ref?: string): number {
    return this.setEntry(importPath, { repo, ref });
  }

  /**
   * Rebuilds an entry's line with new field values, keeping its indentation,
   * the separators of fields that stay, the column of aligned fields and
   * its trailing comment.
   */
  private renderEntry(entry: VendorConfEntry, values: string[]): string {
    const old = this.lines[entry.line - 1].text;
    const f = entry.fields;
    let out = old.slice(0, f[0].start) + values[0];
    for (let i = 1; i < values.length; i++) {
      if (i < f.length) {
        const sep = old.slice(f[i - 1].end, f[i].start);
        out += alignedSeparator(sep, out.length, f[i].start);
      } else {
        out += this.newFieldSeparator(entry, i, out.length);
      }
      out += values[i];
    }
    const lastEnd = f[f.length - 1].end;
    if (entry.comment !== null) {
      const hash = old.length - entry.comment.length;
      out += alignedSeparator(old.slice(lastEnd, hash), out.length, hash) + entry.comment;
    } else {
      out += old.slice(lastEnd);
    }
    return out;
  }

  /**
   * The separator before a field the line did not have: padded to the column
   * the neighbouring entries use for that field when they align it, else
   * the separator this line uses between its first two fields, else a space.
   */
  private newFieldSeparator(entry: VendorConfEntry, field: number, col: number): string {
    const columns = new Map<number, number>();
    for (const e of this.entries) {
      if (e === entry || e.fields.length <= field) continue;
      const start = e.fields[field].start;
      if (start - e.fields[field - 1].end > 1) columns.set(start, (columns.get(start) ?? 0) + 1);
    }
    const best = [...columns.entries()].sort((a, b) => b[1] - a[1])[0];
    if (best && best[0] > col) return ' '.repeat(best[0] - col);
    const own = this.lines[entry.line - 1].text.slice(entry.fields[0].end, entry.fields[1].start);
    return own.includes('\t') ? '\t' : ' ';
  }
}

/**
 * Keeps a separator's meaning: a single space or anything with a tab stays
 * as it was; a run of spaces (column alignment) is re-padded so the next
 * field starts at its old column, or one space after the text when longer.
 */
function alignedSeparator(sep: string, col: number, oldStart: number): string {
  if (sep.length <= 1 || /[^ ]/.test(sep)) return sep.length === 0 ? '' : sep;
  return ' '.repeat(Math.max(1, oldStart - col));
}
