// The one place where commands for a remote shell are written. Every word
// that comes from data (a path, a machine name, a version) is quoted here;
// nothing else in the code joins strings into a command line.

/**
 * One word for a POSIX shell: single-quoted, with each `'` written as `'\''`.
 * Inside single quotes nothing is special (`$()`, backquotes, `\`, newlines,
 * globs), so the word reaches the program exactly as given.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error(`a shell word cannot hold a NUL byte: ${JSON.stringify(word)}`);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from argv: each word quoted. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shellQuote).join(' ');
}

/** A piece of script: a command line, or raw script text that only this project writes (never data). */
export type ScriptLine = readonly string[] | { readonly raw: string };

/**
 * A script that stops at the first failing command (`set -e`), each line a
 * quoted argv or raw text this project wrote. It is run as `sh -c SCRIPT` so
 * the remote login shell (bash, zsh, fish…) only has to pass one quoted word.
 */
export function shellScript(lines: readonly ScriptLine[]): string {
  return ['set -e', ...lines.map((l) => ('raw' in l ? l.raw : shellCommand(l as readonly string[])))].join('\n');
}

/** The command string for ssh: `sh -c 'SCRIPT'`, with `sudo -n` in front when asked. */
export function remoteShCommand(script: string, sudo = false): string {
  return shellCommand([...(sudo ? ['sudo', '-n'] : []), 'sh', '-c', script]);
}
