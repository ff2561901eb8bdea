import { promises as fs } from 'fs';
import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';
import * as path from 'path';
import type { UserTargetSetting } from '../build/userTargets';

/** The build settings that matter outside the editor too (the CLI reads them from the same file). */
export interface BuildSettings {
  readonly targets: readonly UserTargetSetting[];
  /** Overrides every container target's privileged flag when set. */
  readonly privileged?: boolean;
  /** Overrides every container target's builder image when set. */
  readonly image?: string;
}

export class SettingsFileError extends Error {
  override name = 'SettingsFileError';
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Reads `dockerFork.*` build settings from a repository's .vscode/settings.json (JSON with comments). */
export async function readWorkspaceBuildSettings(repoRoot: string): Promise<BuildSettings> {
  const file = path.join(repoRoot, '.vscode', 'settings.json');
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { targets: [] };
  const errors: ParseError[] = [];
  const data = parse(text, errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (errors.length) throw new SettingsFileError(`${file}:${lineOf(text, errors[0].offset)}: ${printParseErrorCode(errors[0].error)}`);
  return fromValues({
    targets: data?.['dockerFork.targets'],
    privileged: data?.['dockerFork.build.privileged'],
    image: data?.['dockerFork.build.image'],
  }, file);
}

/** Validates raw setting values (from a file or from VS Code's configuration). */
export function fromValues(v: { targets?: unknown; privileged?: unknown; image?: unknown }, where: string): BuildSettings {
  if (v.targets !== undefined && !Array.isArray(v.targets)) throw new SettingsFileError(`${where}: dockerFork.targets must be an array`);
  if (v.privileged !== undefined && v.privileged !== null && typeof v.privileged !== 'boolean') throw new SettingsFileError(`${where}: dockerFork.build.privileged must be true or false`);
  if (v.image !== undefined && v.image !== null && typeof v.image !== 'string') throw new SettingsFileError(`${where}: dockerFork.build.image must be a string`);
  return {
    targets: (v.targets as UserTargetSetting[] | undefined) ?? [],
    privileged: (v.privileged as boolean | null | undefined) ?? undefined,
    image: (v.image as string | null | undefined) || undefined,
  };
}
