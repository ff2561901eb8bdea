/** What in a Dockerfile decides how it can be built. */
export interface DockerfileFeatures {
  /** The `# syntax=` parser directive: a frontend image BuildKit pulls from a registry. */
  readonly syntax?: { readonly line: number; readonly image: string };
  /** Instructions only BuildKit understands, with their line numbers, e.g. `RUN --mount (line 12)`. */
  readonly buildkitOnly: readonly string[];
}

/** Parser directives: `# key=value` lines before anything else (blank lines and other comments end them). */
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/;

/**
 * Reads a Dockerfile's directives and BuildKit-only flags without running
 * anything: enough to choose a builder and to explain a choice that cannot
 * work (the legacy builder rejects `RUN --mount` with a bare "Unknown flag").
 */
export function dockerfileFeatures(text: string): DockerfileFeatures {
  const lines = text.split(/\r?\n/);
  let syntax: DockerfileFeatures['syntax'];
  for (let i = 0; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === 'syntax') syntax = { line: i + 1, image: m[2] };
  }
  const buildkitOnly: string[] = [];
  const seen = new Set<string>();
  const note = (what: string, line: number) => {
    if (seen.has(what)) return;
    seen.add(what);
    buildkitOnly.push(`${what} (line ${line})`);
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const instruction = /^(RUN|COPY|ADD)\s+(.*)$/i.exec(line);
    if (!instruction) return;
    const [, verb, rest] = instruction;
    const upper = verb.toUpperCase();
    for (const flag of rest.match(/--(mount|network|security|link|chmod|parents|exclude|checksum|keep-git-dir)\b/gi) ?? []) note(`${upper} ${flag.toLowerCase()}`, i + 1);
    if (/<<-?["']?[A-Za-z_]/.test(rest)) note(`${upper} heredoc`, i + 1);
  });
  return { syntax, buildkitOnly };
}

/**
 * The Dockerfile with its `# syntax=` line emptied (kept as `#` so line
 * numbers in errors still match the user's file): the engine's built-in
 * frontend then parses it, which needs no registry.
 */
export function withoutSyntaxDirective(text: string, features: DockerfileFeatures): string {
  if (!features.syntax) return text;
  const lines = text.split('\n');
  lines[features.syntax.line - 1] = lines[features.syntax.line - 1].endsWith('\r') ? '#\r' : '#';
  return lines.join('\n');
}
