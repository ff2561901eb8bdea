import * as path from 'path';
import type { Machine } from './machine';

/** The variables that choose a Docker engine; the ones a machine does not set are removed. */
export const ENGINE_VARIABLES = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;

export interface EngineEnvironment {
  /** What to set; the other ENGINE_VARIABLES are to be removed (DOCKER_HOST would win over DOCKER_CONTEXT, say). */
  readonly set: Readonly<Record<string, string>>;
  /** What the user should know (a key ssh:// cannot carry, TLS files docker cannot find by name). */
  readonly notes: readonly string[];
}

/**
 * How the docker CLI (and builds) reach a machine's engine, as
 * `eval $(docker-machine env NAME)` would say: docker-machine's TLS endpoint
 * with its certificate folder; a context by name; anything else over
 * `ssh://user@host:port`, which runs ssh with the user's own config.
 */
export function engineEnvironmentFor(machine: Machine): EngineEnvironment {
  const notes: string[] = [];
  if (machine.source === 'context') return { set: { DOCKER_CONTEXT: machine.name.replace(/^context:/, '') }, notes };
  if (machine.engine) {
    const { host, tls } = machine.engine;
    if (!tls) return { set: { DOCKER_HOST: host }, notes };
    const dir = path.dirname(tls.cert);
    // docker reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, by those names.
    const named = path.dirname(tls.ca) === dir && path.dirname(tls.key) === dir && path.basename(tls.ca) === 'ca.pem' && path.basename(tls.cert) === 'cert.pem' && path.basename(tls.key) === 'key.pem';
    if (named) return { set: { DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, notes };
    notes.push(`the TLS files of ${machine.name} (${tls.ca}, ${tls.cert}, ${tls.key}) are not ca.pem, cert.pem and key.pem of one folder, which DOCKER_CERT_PATH needs; using ssh:// instead`);
  }
  const { host, port, user, identityFile } = machine.ssh;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `ssh://${user ? `${encodeURIComponent(user)}@` : ''}${hostPart}${port ? `:${port}` : ''}`;
  if (identityFile) notes.push(`ssh:// cannot name a key: ssh must find ${identityFile} itself (ssh-add it, or an IdentityFile line in ~/.ssh/config for ${host})`);
  if (machine.ssh.hostKeys === 'pinned') notes.push(`ssh checks ${host}'s host key against your own known_hosts, not the key pinned for deploys`);
  return { set: { DOCKER_HOST: url }, notes };
}

/** `current` with the engine variables replaced by `engine.set`; every other variable kept. */
export function withEngine(current: Readonly<Record<string, string>>, engine: EngineEnvironment): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(current)) if (!(ENGINE_VARIABLES as readonly string[]).includes(k)) next[k] = v;
  return { ...next, ...engine.set };
}
