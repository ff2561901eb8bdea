import { parseTree, ParseError, printParseErrorCode } from 'jsonc-parser';

/** Where a JSON text stops being JSON, 1-based, for `file:line:column` messages. */
export interface JsonSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** The usual JSON mistakes in words; anything else keeps JSON.parse's own message. */
const SYNTAX_WORDS: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected character',
  PropertyNameExpected: 'a property name in double quotes is expected here',
  ValueExpected: 'a value is expected here (a trailing comma?)',
  ColonExpected: 'a colon (:) is missing after the property name',
  CommaExpected: 'a comma is missing before this',
  CloseBraceExpected: 'a closing } is missing',
  CloseBracketExpected: 'a closing ] is missing',
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
};

/**
 * Parses JSON as Go's encoding/json would accept it (no comments, no trailing
 * commas): docker-machine's config.json and the context store's meta.json are
 * written and read by Go. JSON.parse decides validity; jsonc-parser, run
 * strict, only locates the first error, because JSON.parse's position text
 * differs between Node versions.
 */
export function parseStrictJson(text: string): { value: unknown } | { error: JsonSyntaxError } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    const errors: ParseError[] = [];
    parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) return { error: { line: 1, column: 1, message: (e as Error).message } };
    return { error: { ...position(text, first.offset), message: SYNTAX_WORDS[printParseErrorCode(first.error)] ?? (e as Error).message } };
  }
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
