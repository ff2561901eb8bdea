import { promises as fs } from 'fs';
import { findNodeAtLocation, getNodeValue, Node, ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import * as path from 'path';
import { BuilderChoice, isBuilderChoice } from '../build/recipe';
import type { UserTargetSetting } from '../build/userTargets';

/**
 * Where a repository's build settings live, for the editor and the CLI alike:
 * the repository's own `.vscode/settings.json`. It travels with the checkout,
 * the CLI can find it without knowing the editor's workspace, and for a
 * repository that is itself the workspace folder it is the file VS Code's
 * Settings editor writes. A repository nested in a workspace folder therefore
 * uses its own file, not the folder's. Targets and the builder image are
 * facts about the repository and come only from there; whether privileged
 * containers work and which builder to use are facts about the machine, so
 * the editor also takes them from user settings when the file is silent
 * (the CLI has --no-privileged and --builder for the same).
 */
export function buildSettingsFile(repoRoot: string): string {
  return path.join(repoRoot, '.vscode', 'settings.json');
}

/** Something wrong in a settings file, with where it is: shown as `file:line: message` everywhere. */
export interface SettingsProblem {
  readonly file: string;
  /** 1-based. */
  readonly line?: number;
  readonly message: string;
}

export function formatProblem(p: SettingsProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}

/** The build settings that matter outside the editor too. */
export interface BuildSettings {
  /** The file they were read from (it may not exist). */
  readonly file?: string;
  /** Raw entries of `dockerFork.targets`; each is checked on its own when targets are merged. */
  readonly targets: readonly UserTargetSetting[];
  /** 1-based line of each entry of `targets`, where known. */
  readonly targetLines?: readonly (number | undefined)[];
  /** Overrides every container target's privileged flag when set. */
  readonly privileged?: boolean;
  /** Overrides every container target's builder image when set. */
  readonly image?: string;
  /** How builder images are built (BuildKit or the legacy builder). */
  readonly builder?: BuilderChoice;
  /** Syntax errors and values of the wrong type: reported, and the rest of the file is still used. */
  readonly problems: readonly SettingsProblem[];
}

/** Parser error codes in words a user can act on. */
const SYNTAX_MESSAGES: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'this number is not valid JSON',
  PropertyNameExpected: 'a property name in double quotes is expected here',
  ValueExpected: 'a value is expected here',
  ColonExpected: 'a colon (:) is missing after the property name',
  CommaExpected: 'a comma is missing before this',
  CloseBraceExpected: 'a closing } is missing',
  CloseBracketExpected: 'a closing ] is missing',
  EndOfFileExpected: 'unexpected text after the end of the settings object',
  InvalidCommentToken: 'this comment is not valid',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape character',
  InvalidCharacter: 'a character that must be escaped in a string',
};

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Reads the file the way VS Code does (JSON with comments and trailing
 * commas, an empty file is no settings, after a syntax error whatever still
 * parses is used), and reports every problem with its line instead of
 * throwing, so the editor and the CLI read the same values and say the same.
 */
export function parseBuildSettings(text: string, file: string): BuildSettings {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, allowEmptyContent: true, disallowComments: false });
  const problems: SettingsProblem[] = errors.map((e) => ({
    file,
    line: lineAt(text, e.offset),
    message: `${SYNTAX_MESSAGES[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error)} (VS Code reads the rest of the file; so does the CLI)`,
  }));
  if (!root) return { file, targets: [], problems };
  if (root.type !== 'object') return { file, targets: [], problems: [...problems, { file, line: lineAt(text, root.offset), message: 'settings must be a JSON object ({ ... })' }] };
  const node = (key: string): Node | undefined => findNodeAtLocation(root, [key]);
  const wrong = (n: Node, message: string) => problems.push({ file, line: lineAt(text, n.offset), message });

  let targets: UserTargetSetting[] = [];
  let targetLines: number[] = [];
  const targetsNode = node('dockerFork.targets');
  if (targetsNode && targetsNode.type !== 'null') {
    if (targetsNode.type !== 'array') wrong(targetsNode, 'dockerFork.targets must be an array of targets ([ { "id": ..., "command": [...] } ])');
    else {
      targets = getNodeValue(targetsNode) as UserTargetSetting[];
      targetLines = (targetsNode.children ?? []).map((c) => lineAt(text, c.offset));
    }
  }
  let privileged: boolean | undefined;
  const privilegedNode = node('dockerFork.build.privileged');
  if (privilegedNode && privilegedNode.type !== 'null') {
    if (privilegedNode.type !== 'boolean') wrong(privilegedNode, 'dockerFork.build.privileged must be true, false or null');
    else privileged = getNodeValue(privilegedNode) as boolean;
  }
  let image: string | undefined;
  const imageNode = node('dockerFork.build.image');
  if (imageNode && imageNode.type !== 'null') {
    if (imageNode.type !== 'string') wrong(imageNode, 'dockerFork.build.image must be a string (an image name)');
    else image = (getNodeValue(imageNode) as string) || undefined;
  }
  let builder: BuilderChoice | undefined;
  const builderNode = node('dockerFork.build.builder');
  if (builderNode && builderNode.type !== 'null') {
    const value = getNodeValue(builderNode) as unknown;
    if (!isBuilderChoice(value)) wrong(builderNode, 'dockerFork.build.builder must be "auto", "buildkit" or "legacy"');
    else builder = value;
  }
  return { file, targets, targetLines, privileged, image, builder, problems };
}

/** Reads a repository's build settings (see buildSettingsFile); a missing file is no settings. */
export async function readWorkspaceBuildSettings(repoRoot: string): Promise<BuildSettings> {
  const file = buildSettingsFile(repoRoot);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { file, targets: [], problems: [] };
    return { file, targets: [], problems: [{ file, message: `cannot be read: ${(e as Error).message}` }] };
  }
  return parseBuildSettings(text, file);
}
