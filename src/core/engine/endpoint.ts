import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

/** Where a Docker engine is and how to talk to it, as the docker CLI would resolve it. */
export interface EngineEndpoint {
  /** `unix:///…`, `tcp://host:port`, `ssh://[user@]host[:port]`, `npipe://…`. */
  readonly host: string;
  /** The context this came from: `default` or a named one. */
  readonly contextName: string;
  /** Which rule picked it, for the build's first lines and for error messages. */
  readonly source: 'override' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config.json' | 'default';
  /** TLS material (PEM file paths) and whether the server certificate is verified. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly verify: boolean };
}

export interface EngineEnvironment {
  /** Variables as the docker CLI would see them (process env plus dockerFork.environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** A context name chosen explicitly (like `docker --context`). */
  readonly contextOverride?: string;
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** A problem resolving the engine, naming the file or variable at fault. */
export class EngineConfigError extends Error {
  override name = 'EngineConfigError';
}

/** `DOCKER_CONFIG` or `~/.docker`. */
export function dockerConfigDir(e: EngineEnvironment): string {
  return e.env.DOCKER_CONFIG || path.join(e.homeDir, '.docker');
}

/** The context store keys a context's files by the SHA-256 of its name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineConfigError(`Cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EngineConfigError(`${file} is not valid JSON (${(e as Error).message}); fix it or move it away.`);
  }
}

/**
 * The context name the docker CLI would use: an explicit one, else `default`
 * when DOCKER_HOST is set, else DOCKER_CONTEXT, else config.json's
 * currentContext, else `default` (cli/command/cli.go resolveContextName).
 */
export async function resolveContextName(e: EngineEnvironment): Promise<{ name: string; source: EngineEndpoint['source'] }> {
  if (e.contextOverride) return { name: e.contextOverride, source: 'override' };
  if (e.env.DOCKER_HOST) return { name: 'default', source: 'DOCKER_HOST' };
  if (e.env.DOCKER_CONTEXT) return { name: e.env.DOCKER_CONTEXT, source: 'DOCKER_CONTEXT' };
  const configFile = path.join(dockerConfigDir(e), 'config.json');
  const config = (await readJson(configFile)) as { currentContext?: unknown } | undefined;
  if (config && typeof config.currentContext === 'string' && config.currentContext) return { name: config.currentContext, source: 'config.json' };
  return { name: 'default', source: 'default' };
}

function tlsFromEnv(e: EngineEnvironment): EngineEndpoint['tls'] {
  const verify = !!e.env.DOCKER_TLS_VERIFY;
  if (!verify && !e.env.DOCKER_TLS) return undefined;
  const certPath = e.env.DOCKER_CERT_PATH || dockerConfigDir(e);
  return { ca: path.join(certPath, 'ca.pem'), cert: path.join(certPath, 'cert.pem'), key: path.join(certPath, 'key.pem'), verify };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Resolves the engine exactly as the docker CLI would, from the same env and files. */
export async function resolveEngine(e: EngineEnvironment): Promise<EngineEndpoint> {
  const { name, source } = await resolveContextName(e);
  if (name === 'default') {
    const host = e.env.DOCKER_HOST || DEFAULT_HOST;
    return { host, contextName: 'default', source, tls: host.startsWith('tcp://') ? tlsFromEnv(e) : undefined };
  }
  const store = path.join(dockerConfigDir(e), 'contexts');
  const metaFile = path.join(store, 'meta', contextDirName(name), 'meta.json');
  const meta = (await readJson(metaFile)) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } } | undefined;
  const where = source === 'DOCKER_CONTEXT' ? 'DOCKER_CONTEXT' : source === 'config.json' ? `currentContext in ${path.join(dockerConfigDir(e), 'config.json')}` : 'the chosen context';
  if (!meta) throw new EngineConfigError(`Docker context "${name}" (from ${where}) does not exist: no ${metaFile}. List contexts with 'docker context ls'.`);
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) throw new EngineConfigError(`Docker context "${name}" has no docker endpoint host in ${metaFile}.`);
  const tlsDir = path.join(store, 'tls', contextDirName(name), 'docker');
  const files = { ca: path.join(tlsDir, 'ca.pem'), cert: path.join(tlsDir, 'cert.pem'), key: path.join(tlsDir, 'key.pem') };
  const present = await Promise.all(Object.values(files).map(exists));
  const tls = present.some(Boolean)
    ? { ca: present[0] ? files.ca : undefined, cert: present[1] ? files.cert : undefined, key: present[2] ? files.key : undefined, verify: !docker.SkipTLSVerify }
    : undefined;
  return { host: docker.Host, contextName: name, source, tls };
}

/** A one-line description for logs and the build's first lines; never includes key material. */
export function describeEndpoint(ep: EngineEndpoint): string {
  const tls = ep.tls ? (ep.tls.verify ? ', TLS verified' : ', TLS unverified') : '';
  return `${ep.host} (context ${ep.contextName}, from ${ep.source}${tls})`;
}

/** True when bind mounts would refer to another machine's disk. */
export function isRemote(ep: EngineEndpoint): boolean {
  if (ep.host.startsWith('unix://') || ep.host.startsWith('npipe://')) return false;
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+)/.exec(ep.host);
  if (m) return !['localhost', '127.0.0.1', '[::1]'].includes(m[1]);
  return true; // ssh:// and anything unknown
}
