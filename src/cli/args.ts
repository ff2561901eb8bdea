import { parseArgs as nodeParseArgs } from 'util';
import { CliIo, UsageError } from './io';

export interface ParsedArgs {
  positionals: string[];
  /** Declared options that were given: `true` for a flag, the text for a string option. */
  flags: Map<string, string | true>;
  /** `-h` or `--help`, which every command accepts. */
  help: boolean;
}

/** The option a node:util parseArgs error is about (its messages quote it first). */
function optionIn(message: string): string {
  return /'(-{1,2}[^'\s<=]+)/.exec(message)?.[1] ?? '';
}

/**
 * Parses a command's argv with node's util.parseArgs: `--flag`, `--flag value`,
 * `--flag=value`, `--` before positionals, and `-h`/`--help`. Anything
 * undeclared is a usage error (exit 2) rather than being silently ignored.
 */
export function parseArgs(argv: readonly string[], spec: Record<string, 'boolean' | 'string'>): ParsedArgs {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, type] of Object.entries(spec)) options[name] = { type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    const option = optionIn(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${option}'`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (spec[option.replace(/^-+/, '')] === 'boolean') throw new UsageError(`option '${option}' takes no value`);
      throw new UsageError(`option '${option}' needs a value (write ${option}=VALUE for one that starts with '-')`);
    }
    throw new UsageError(message.split('\n')[0]);
  }
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name !== 'help' && value !== undefined && value !== false) flags.set(name, value);
  }
  return { positionals: parsed.positionals, flags, help: parsed.values.help === true };
}

/** Indents a command summary under its usage line, as the top-level help does. */
export function indent(text: string): string {
  return text.split('\n').map((l) => `      ${l}`).join('\n');
}

/** `dockerfork COMMAND --help`: the command's usage and what it does; exit 0. */
export function printCommandHelp(io: CliIo, usage: string, summary: string): number {
  io.out(`Usage: ${usage}\n\n${summary}\n`);
  return 0;
}
