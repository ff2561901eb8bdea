/** Why a git operation did not happen; the editor and the CLI pick their wording and exit code from it. */
export type GitFailureKind =
  | 'invalid-input'     // a URL, ref or folder that cannot be used as given
  | 'target-not-empty'  // the clone's target folder exists and holds files
  | 'not-found'         // no repository at the URL
  | 'unknown-ref'       // no branch, tag or commit of that name
  | 'no-network'        // the host name does not resolve
  | 'unreachable'       // nothing answers at the host and port
  | 'auth'              // the server refused the credentials (or asked for some)
  | 'dirty'             // uncommitted changes that the operation would lose
  | 'conflict'          // a rebase stopped on conflicts
  | 'cancelled'
  | 'failed';           // anything else: the message carries git's own words

/** One git command an operation ran, and what it printed (stdout and stderr, line by line). */
export interface GitCommandRun {
  /** The argv, starting with `git`; never a shell string. */
  argv: string[];
  output: string[];
}

/** A failed git operation with a message fit for the user. */
export class GitOperationError extends Error {
  constructor(
    readonly kind: GitFailureKind,
    message: string,
    /** git's own stderr, when git ran. */
    readonly gitOutput = '',
    /** The commands run before and including the one that failed. */
    readonly commands: GitCommandRun[] = [],
  ) {
    super(message);
  }
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+|\[[^\]]+\])(?::(\d+))?/i.exec(url) ?? /^(?:[^@/]+@)?([^/:]+):/.exec(url);
  if (!m) return url;
  return m[2] ? `${m[1]}:${m[2]}` : m[1];
}

/** The lines of git's stderr that say what went wrong (fatal:, error:, remote error …). */
export function gitErrorLines(text: string): string {
  const lines = text.split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean);
  const telling = lines.filter((l) => /^(fatal|error|remote: (fatal|error)|ERROR)|denied|refused|not found|could not|unable/i.test(l));
  return (telling.length ? telling : lines.slice(-2)).join('; ');
}

/**
 * Maps git's stderr for an operation on `url` to a failure kind and a message
 * saying which of the known causes it is (wrong URL, unknown ref, no network,
 * host not answering, authentication), keeping git's words after it.
 */
export function classifyGitFailure(stderr: string, url: string, ref?: string): GitOperationError {
  const said = gitErrorLines(stderr);
  const host = hostOf(url);
  const make = (kind: GitFailureKind, message: string) => new GitOperationError(kind, `${message} (git: ${said})`, stderr);
  if (/Could not resolve host|Name or service not known|Temporary failure in name resolution|nodename nor servname|No address associated with hostname/i.test(stderr)) {
    return make('no-network', `Cannot resolve ${host}: no network, or a wrong host name in ${url}`);
  }
  if (/Connection refused|unable to connect|Network is unreachable|Connection timed out|No route to host|Failed to connect|Could not connect|Connection reset/i.test(stderr)) {
    return make('unreachable', `Cannot connect to ${host}: no network, or nothing serving git at ${url}`);
  }
  if (/Host key verification failed/i.test(stderr)) {
    return make('auth', `The SSH host key of ${host} is not known or has changed: check it and add it to known_hosts`);
  }
  if (/Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(|HTTP (Basic: )?Access denied|returned error: 40[13]|Invalid username or password/i.test(stderr)) {
    return make('auth', `Authentication to ${host} failed for ${url}: set up credentials (a credential helper or an SSH key) for it; a private or missing repository answers the same way`);
  }
  if (/Remote branch .* not found|couldn't find remote ref|did not match any|unknown revision|not our ref|no such remote ref|invalid reference/i.test(stderr)) {
    return make('unknown-ref', ref ? `No branch, tag or commit '${ref}' in ${url}` : `A ref was not found in ${url}`);
  }
  if (/repository .*not found|does not appear to be a git repository|not exported|not a git repository|returned error: 404|does not exist|No such file or directory/i.test(stderr)) {
    return make('not-found', `No git repository at ${url}: check the URL`);
  }
  return make('failed', `git failed for ${url}`);
}

/** The text git wrote to stderr, from a simple-git error (its message is git's output). */
export function stderrOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
