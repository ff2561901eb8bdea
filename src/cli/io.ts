/** Where the CLI writes; tests pass their own to capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** A person at a terminal who can answer questions (stdin is a TTY); tests and pipes are not. */
  interactive?: boolean;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  interactive: process.stdin.isTTY === true,
};

/** A mistake in how the command was called: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}
