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
function parseSettingsTree(text: string, file: string): { root?: Node; problems: SettingsProblem[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, allowEmptyContent: true, disallowComments: false });
  const problems: SettingsProblem[] = errors.map((e) => ({
    file,
    line: lineAt(text, e.offset),
    message: `${SYNTAX_MESSAGES[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error)} (VS Code reads the rest of the file; so does the CLI)`,
  }));
  if (!root) return { problems };
  if (root.type !== 'object') return { problems: [...problems, { file, line: lineAt(text, root.offset), message: 'settings must be a JSON object ({ ... })' }] };
  return { root, problems };
}

export function parseBuildSettings(text: string, file: string): BuildSettings {
  const { root, problems } = parseSettingsTree(text, file);
  if (!root) return { file, targets: [], problems };
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

/** The settings file's text; undefined with no problem when there is none. */
async function readSettingsText(file: string): Promise<{ text?: string; problems: SettingsProblem[] }> {
  try {
    return { text: await fs.readFile(file, 'utf8'), problems: [] };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problems: [] };
    return { problems: [{ file, message: `cannot be read: ${(e as Error).message}` }] };
  }
}

/** Reads a repository's build settings (see buildSettingsFile); a missing file is no settings. */
export async function readWorkspaceBuildSettings(repoRoot: string): Promise<BuildSettings> {
  const file = buildSettingsFile(repoRoot);
  const { text, problems } = await readSettingsText(file);
  return text === undefined ? { file, targets: [], problems } : parseBuildSettings(text, file);
}

/** The machine settings the CLI reads from a folder's `.vscode/settings.json` (the editor reads them through src/settings.ts). */
export interface MachineSettings {
  readonly file?: string;
  /** Raw entries of `dockerFork.machines.sshHosts`; each is checked on its own (core/machines/sshHosts.ts). */
  readonly sshHosts: readonly unknown[];
  /** 1-based line of each entry of `sshHosts`, where known. */
  readonly sshHostLines?: readonly (number | undefined)[];
  readonly problems: readonly SettingsProblem[];
}

export function parseMachineSettings(text: string, file: string): MachineSettings {
  const { root, problems } = parseSettingsTree(text, file);
  if (!root) return { file, sshHosts: [], problems };
  const hostsNode = findNodeAtLocation(root, ['dockerFork.machines.sshHosts']);
  if (!hostsNode || hostsNode.type === 'null') return { file, sshHosts: [], problems };
  if (hostsNode.type !== 'array') {
    return { file, sshHosts: [], problems: [...problems, { file, line: lineAt(text, hostsNode.offset), message: 'dockerFork.machines.sshHosts must be an array of "user@host:port" strings, ssh_config aliases or { "name", "host", ... } objects' }] };
  }
  return { file, sshHosts: getNodeValue(hostsNode) as unknown[], sshHostLines: (hostsNode.children ?? []).map((c) => lineAt(text, c.offset)), problems };
}

/** Reads `dockerFork.machines.*` from `folder/.vscode/settings.json`; a missing file is no settings. */
export async function readWorkspaceMachineSettings(folder: string): Promise<MachineSettings> {
  const file = buildSettingsFile(folder);
  const { text, problems } = await readSettingsText(file);
  return text === undefined ? { file, sshHosts: [], problems } : parseMachineSettings(text, file);
}
