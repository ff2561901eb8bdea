// ssh(1) says why it failed only on stderr, in a handful of stable phrases.
// Turn them into one message that names the machine and the step, and says
// what to do about it.

export type SshFailure = 'host-key-changed' | 'host-key-unknown' | 'auth' | 'refused' | 'unreachable' | 'dns' | 'timeout' | 'key-file' | 'cut' | 'other';

export function classifySshError(stderr: string): SshFailure {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) return 'host-key-changed';
  if (/No \S+ host key is known for|Host key verification failed/i.test(stderr)) return 'host-key-unknown';
  if (/Warning: Identity file .* not accessible|no such identity|Load key .*: (No such file|Permission denied|invalid format)/i.test(stderr)) return 'key-file';
  if (/Permission denied \(|Too many authentication failures|Authentication failed/i.test(stderr)) return 'auth';
  if (/Connection refused/i.test(stderr)) return 'refused';
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(stderr)) return 'dns';
  if (/Connection timed out|Operation timed out|timed out during banner exchange/i.test(stderr)) return 'timeout';
  if (/No route to host|Network is unreachable/i.test(stderr)) return 'unreachable';
  if (/Connection (closed|reset) by|Broken pipe|Timeout, server .* not responding|client_loop: send disconnect|Control socket connect|mux_client/i.test(stderr)) return 'cut';
  return 'other';
}

const ADVICE: Record<SshFailure, string> = {
  'host-key-changed': 'The host key differs from the one on record, so the connection was refused: someone may be intercepting it, or the machine was recreated. Check the fingerprint out of band, then remove the old key (ssh-keygen -R) and connect again.',
  'host-key-unknown': "The host's key is not in known_hosts. Check its fingerprint and add it (ssh-keyscan, or ssh to it once).",
  auth: 'The login was refused: check the user and the identity file (or the agent).',
  refused: 'Nothing listens on that port: is sshd running, and is the port right?',
  unreachable: 'The host cannot be reached: is the machine running and its network up?',
  dns: 'The host name does not resolve.',
  timeout: 'The host did not answer in time: is it running, or is a firewall dropping the connection?',
  'key-file': 'The identity file cannot be read.',
  cut: 'The connection was cut.',
  other: '',
};

/** A failed ssh step: the machine, the step, ssh's own words and what to do. */
export class SshError extends Error {
  readonly failure: SshFailure;
  constructor(readonly machine: string, readonly step: string, readonly sshMessage: string, failure?: SshFailure) {
    const reason = lastLines(sshMessage) || 'ssh gave no reason';
    const kind = failure ?? classifySshError(sshMessage);
    super(`${machine}: ${step} failed: ${reason}${ADVICE[kind] ? `\n${ADVICE[kind]}` : ''}`);
    this.name = 'SshError';
    this.failure = kind;
  }
}

/** ssh's stderr without its banner noise, at most a few lines. */
export function lastLines(stderr: string, max = 4): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^@+$/.test(l) && !/^Warning: Permanently added/.test(l));
  return lines.slice(-max).join(' ');
}
