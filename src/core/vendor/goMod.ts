import { dominantEol, joinLines, SourceLine, splitLines } from './lines';
import { VendorProblem } from './problems';

/** A `require` of a go.mod / vendor.mod, single-line or inside a block. */
export interface ModRequire {
  /** 1-based line. */
  readonly line: number;
  readonly module: string;
  readonly version: string;
  /** Marked `// indirect`. */
  readonly indirect: boolean;
  readonly inBlock: boolean;
}

/** A `replace MODULE [VERSION] => TARGET [VERSION]`. */
export interface ModReplace {
  readonly line: number;
  readonly module: string;
  /** The version on the left, when only that version is replaced. */
  readonly moduleVersion: string | null;
  /** A module path, or a local directory (`./x`, `../x`, `/x`). */
  readonly target: string;
  readonly targetVersion: string | null;
  readonly inBlock: boolean;
}

const KNOWN_VERBS = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'replace', 'exclude', 'retract', 'tool', 'ignore']);

/** A local directory replacement, which needs no version. */
export function isLocalPath(target: string): boolean {
  return /^(\.\.?($|[/\\])|\/|[A-Za-z]:[/\\])/.test(target);
}

interface Token {
  text: string;
  start: number;
  end: number;
}

/** Splits a line into Go modfile tokens and the offset where its `//` comment starts (or -1). */
function lex(text: string): { tokens: Token[]; comment: number } {
  const tokens: Token[] = [];
  const re = /"(?:[^"\\]|\\.)*"?|`[^`]*`?|\/\/|=>|[()]|[^\s()"`]+?(?=\/\/|[\s()"`]|$)/g;
  let comment = -1;
  for (const m of text.matchAll(re)) {
    if (m[0] === '//') {
      comment = m.index;
      break;
    }
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return { tokens, comment };
}

/** A token's value: quoted strings unquoted. */
function value(t: Token): string {
  if (t.text.startsWith('"') && t.text.length >= 2 && t.text.endsWith('"')) {
    try {
      return JSON.parse(t.text) as string;
    } catch {
      return t.text;
    }
  }
  if (t.text.startsWith('`') && t.text.length >= 2 && t.text.endsWith('`')) return t.text.slice(1, -1);
  return t.text;
}

interface ParsedModLine {
  require?: ModRequire;
  replace?: ModReplace;
  problem?: VendorProblem;
  /** `verb (` opens a block; `)` closes one. */
  opens?: string;
  closes?: boolean;
}

/** Where a replace can be inserted: a block's span or single lines. */
interface BlockInfo {
  verb: string;
  open: number;
  close: number | null;
}

/**
 * A go.mod or vendor.mod, held line by line with every byte of the original.
 * It understands `require` and `replace` (single-line and blocks) and knows
 * the other directives only well enough to skip them; unparseable lines are
 * reported in `problems` and kept verbatim.
 */
export class GoModFile {
  private lines: SourceLine[];
  private parsed: ParsedModLine[] = [];
  private blocks: BlockInfo[] = [];

  private constructor(readonly file: string, text: string) {
    this.lines = splitLines(text);
    this.reparse();
  }

  /** Parses text; never throws. `file` is used in problems. */
  static parse(text: string, file = 'go.mod'): GoModFile {
    return new GoModFile(file, text);
  }

  toString(): string {
    return joinLines(this.lines);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineText(line: number): string {
    return this.lines[line - 1]?.text ?? '';
  }

  /** The `module` path, or null when the file has none. */
  get module(): string | null {
    for (const l of this.lines) {
      const { tokens } = lex(l.text);
      if (tokens[0]?.text === 'module' && tokens[1]) return value(tokens[1]);
    }
    return null;
  }

  get requires(): ModRequire[] {
    return this.parsed.flatMap((p) => (p.require ? [p.require] : []));
  }

  get replaces(): ModReplace[] {
    return this.parsed.flatMap((p) => (p.replace ? [p.replace] : []));
  }

  get problems(): VendorProblem[] {
    return this.parsed.flatMap((p) => (p.problem ? [p.problem] : []));
  }

  /** The replace lines for a module (any left-hand version). */
  findReplaces(module: string): ModReplace[] {
    return this.replaces.filter((r) => r.module === module);
  }

  private reparse(): void {
    this.parsed = [];
    this.blocks = [];
    let block: BlockInfo | null = null;
    this.lines.forEach((l, i) => {
      const p = this.parseLine(l.text, i + 1, block?.verb ?? null);
      if (p.opens) {
        block = { verb: p.opens, open: i + 1, close: null };
        this.blocks.push(block);
      } else if (p.closes && block) {
        block.close = i + 1;
        block = null;
      }
      this.parsed.push(p);
    });
    if (block) {
      const open = (block as BlockInfo).open;
      this.parsed[open - 1] = { ...this.parsed[open - 1], problem: this.problem(open, undefined, `'${(block as BlockInfo).verb} (' is never closed with ')'`) };
    }
  }

  private problem(line: number, t: Token | undefined, message: string, severity: 'error' | 'warning' = 'error'): VendorProblem {
    return { file: this.file, line, ...(t ? { column: t.start + 1, endColumn: t.end + 1 } : {}), severity, message };
  }

  private parseLine(text: string, line: number, inBlock: string | null): ParsedModLine {
    const { tokens, comment } = lex(text);
    if (tokens.length === 0) return {};
    const commentText = comment >= 0 ? text.slice(comment) : '';
    if (inBlock !== null) {
      if (tokens.length === 1 && tokens[0].text === ')') return { closes: true };
      return this.parseDirective(inBlock, tokens, commentText, line, true);
    }
    const verb = tokens[0].text;
    if (!KNOWN_VERBS.has(verb)) return { problem: this.problem(line, tokens[0], `unknown directive '${verb}'; the line is kept as it is`) };
    if (tokens.length === 2 && tokens[1].text === '(') return { opens: verb };
    return this.parseDirective(verb, tokens.slice(1), commentText, line, false);
  }

  private parseDirective(verb: string, args: Token[], comment: string, line: number, inBlock: boolean): ParsedModLine {
    if (verb === 'require') {
      if (args.length !== 2) return { problem: this.problem(line, args[0], `require needs a module path and a version, found ${args.length} field(s)`) };
      return {
        require: { line, module: value(args[0]), version: value(args[1]), indirect: /^\/\/\s*indirect\s*(;|$)/.test(comment), inBlock },
      };
    }
    if (verb === 'replace') {
      const arrow = args.findIndex((t) => t.text === '=>');
      const left = arrow >= 0 ? args.slice(0, arrow) : args;
      const right = arrow >= 0 ? args.slice(arrow + 1) : [];
      if (arrow < 0 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
        return { problem: this.problem(line, args[0], "replace must be 'MODULE [VERSION] => TARGET [VERSION]'") };
      }
      return {
        replace: {
          line,
          module: value(left[0]),
          moduleVersion: left[1] ? value(left[1]) : null,
          target: value(right[0]),
          targetVersion: right[1] ? value(right[1]) : null,
          inBlock,
        },
      };
    }
    return {};
  }

  /**
   * Points a module at a replacement: updates its replace line(s), or adds
   * one (into the first replace block, in sorted place when the block is
   * sorted; else after the last single-line replace; else at the end).
   * `version` may be null only for a local directory. Returns the line numbers
   * changed or added (after the edit).
   */
  setReplace(module: string, target: string, version: string | null): number[] {
    if (version === null && !isLocalPath(target)) throw new Error(`a replace of ${module} by ${target} needs a version (only a local directory needs none)`);
    for (const v of [module, target, version ?? 'x']) {
      if (!/^[^\s"`()]+$/.test(v) || v === '=>' || v.startsWith('//')) throw new Error(`'${v}' cannot be written into ${this.file} as a module path or version`);
    }
    const rhs = version === null ? target : `${target} ${version}`;
    const existing = this.findReplaces(module);
    if (existing.length > 0) {
      for (const r of existing) {
        const old = this.lines[r.line - 1].text;
        const { tokens } = lex(old);
        const arrow = tokens.findIndex((t) => t.text === '=>');
        const codeEnd = tokens[tokens.length - 1].end;
        const tail = old.slice(codeEnd); // spacing and any trailing comment, kept
        this.lines[r.line - 1] = { ...this.lines[r.line - 1], text: `${old.slice(0, tokens[arrow].end)} ${rhs}${tail}` };
      }
      this.reparse();
      return existing.map((r) => r.line);
    }
    const eol = dominantEol(this.lines);
    const block = this.blocks.find((b) => b.verb === 'replace' && b.close !== null);
    if (block && block.close !== null) {
      const inside = this.replaces.filter((r) => r.line > block.open && r.line < block.close!);
      const indent = inside.length > 0 ? /^\s*/.exec(this.lines[inside[0].line - 1].text)![0] : '\t';
      const sorted = inside.every((r, i) => i === 0 || inside[i - 1].module <= r.module);
      const before = sorted ? inside.find((r) => r.module > module) : undefined;
      const at = before ? before.line : block.close;
      return [this.insertLine(at, `${indent}${module} => ${rhs}`, eol)];
    }
    const singles = this.replaces.filter((r) => !r.inBlock);
    if (singles.length > 0) return [this.insertLine(singles[singles.length - 1].line + 1, `replace ${module} => ${rhs}`, eol)];
    const last = this.lines[this.lines.length - 1];
    const endsWithoutEol = last !== undefined && last.eol === '';
    if (endsWithoutEol) this.lines[this.lines.length - 1] = { ...last, eol };
    if (last !== undefined && last.text.trim() !== '') this.lines.push({ text: '', eol });
    this.lines.push({ text: `replace ${module} => ${rhs}`, eol: endsWithoutEol ? '' : eol });
    this.reparse();
    return [this.lines.length];
  }

  /** Removes every replace line of a module (and nothing else); returns the removed lines' old numbers. */
  removeReplace(module: string): number[] {
    const gone = this.findReplaces(module).map((r) => r.line);
    if (gone.length === 0) return [];
    const drop = new Set(gone);
    const wasLastWithoutEol = this.lines.length > 0 && this.lines[this.lines.length - 1].eol === '';
    this.lines = this.lines.filter((_, i) => !drop.has(i + 1));
    // Removing the final line must not add a newline the file did not have at its end.
    if (wasLastWithoutEol && drop.has(this.lines.length + gone.length) && this.lines.length > 0) {
      const last = this.lines[this.lines.length - 1];
      this.lines[this.lines.length - 1] = { ...last, eol: '' };
    }
    this.reparse();
    return gone;
  }

  /** Inserts a line before 1-based line `at` and returns its number. */
  private insertLine(at: number, text: string, eol: '\n' | '\r\n'): number {
    const prev = this.lines[at - 2];
    if (prev && prev.eol === '') {
      // Appending after a last line that has no newline: it gets one, the new last line keeps the file's lack of one.
      this.lines[at - 2] = { ...prev, eol };
      this.lines.splice(at - 1, 0, { text, eol: '' });
    } else {
      this.lines.splice(at - 1, 0, { text, eol });
    }
    this.reparse();
    return at;
  }
}
