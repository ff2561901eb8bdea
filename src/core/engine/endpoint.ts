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

/**
 * TLS from DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH, as the CLI
 * reads them (cli/flags/options.go SetDefaultOptions): the CA file is always
 * read, while a missing cert.pem or key.pem is dropped (os.IsNotExist only), so
 * a CA-only folder still speaks TLS, just without a client certificate.
 */
async function tlsFromEnv(e: EngineEnvironment): Promise<EngineEndpoint['tls']> {
  const verify = !!e.env.DOCKER_TLS_VERIFY;
  if (!verify && !e.env.DOCKER_TLS) return undefined;
  const certPath = e.env.DOCKER_CERT_PATH || dockerConfigDir(e);
  const [cert, key] = await Promise.all(['cert.pem', 'key.pem'].map(async (name) => {
    const file = path.join(certPath, name);
    return (await missing(file)) ? undefined : file;
  }));
  const ca = path.join(certPath, 'ca.pem');
  if (await missing(ca)) {
    const variable = verify ? 'DOCKER_TLS_VERIFY' : 'DOCKER_TLS';
    const where = e.env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : `the docker config folder (DOCKER_CERT_PATH is unset)`;
    throw new EngineConfigError(`${variable} is set but there is no CA certificate at ${ca} (from ${where}); the docker CLI refuses this too. Put ca.pem there, point DOCKER_CERT_PATH at the folder that has it, or unset ${variable}.`);
  }
  return { ca, cert, key, verify };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Only "no such file" counts as absent, as os.IsNotExist: an unreadable file is still used (and then fails, naming it). */
async function missing(p: string): Promise<boolean> {
  return fs.stat(p).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
}

const DEFAULT_TCP_PORT = '2375';
const DEFAULT_TLS_HOST = 'tcp://localhost:2376';

/**
 * DOCKER_HOST normalised as the CLI does (opts/hosts.go ParseHost): blank is
 * the default socket (or tcp://localhost:2376 when TLS is on), no scheme means
 * tcp://, a tcp:// address without a port gets 2375 (even with TLS) and
 * without a host gets localhost.
 */
export function parseDockerHost(value: string, defaultToTls: boolean): string {
  const host = value.trim();
  if (!host) return defaultToTls ? DEFAULT_TLS_HOST : DEFAULT_HOST;
  const bad = (why: string) => new EngineConfigError(`DOCKER_HOST "${value}" is not a Docker host: ${why}. Use unix:///path, tcp://host:port or ssh://[user@]host.`);
  const at = host.indexOf('://');
  const proto = at < 0 ? 'tcp' : host.slice(0, at);
  const rest = at < 0 ? host : host.slice(at + 3);
  switch (proto) {
    case 'tcp':
      return parseTcpAddress(rest, bad);
    case 'unix':
    case 'npipe':
      if (rest.includes('://')) throw bad(`expected ${proto}://`);
      return `${proto}://${rest || (proto === 'unix' ? '/var/run/docker.sock' : '//./pipe/docker_engine')}`;
    case 'fd':
    case 'ssh':
      return host;
    default:
      throw bad(`unknown scheme "${proto}://"`);
  }
}

function parseTcpAddress(address: string, bad: (why: string) => Error): string {
  if (!address) return `tcp://localhost:${DEFAULT_TCP_PORT}`;
  if (address.includes('://')) throw bad('expected tcp://');
  // host[:port][/path], host possibly a bracketed IPv6 address.
  const m = /^(\[[^\]]*\]|[^:/[\]]*)(?::([^/]*))?(\/.*)?$/.exec(address);
  if (!m) throw bad('cannot read host and port');
  const hostname = m[1] || 'localhost';
  const port = m[2] || DEFAULT_TCP_PORT;
  if (!/^\d+$/.test(port) || /\s/.test(hostname)) throw bad(`invalid host or port`);
  return `tcp://${hostname}:${port}${m[3] ?? ''}`;
}

/** Hosts the CLI never wraps in TLS (cli/context/docker/load.go isSocket), and ssh:// which has its own transport. */
function speaksTls(host: string): boolean {
  return !/^(unix|npipe|fd|ssh):\/\//.test(host);
}

/** Resolves the engine exactly as the docker CLI would, from the same env and files. */
export async function resolveEngine(e: EngineEnvironment): Promise<EngineEndpoint> {
  const { name, source } = await resolveContextName(e);
  if (name === 'default') {
    const tls = await tlsFromEnv(e);
    const host = parseDockerHost(e.env.DOCKER_HOST ?? '', !!tls);
    return { host, contextName: 'default', source, tls: speaksTls(host) ? tls : undefined };
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
  // SkipTLSVerify alone still means TLS, with no files (cli/context/docker/load.go tlsConfig).
  const tls = present.some(Boolean) || docker.SkipTLSVerify
    ? { ca: present[0] ? files.ca : undefined, cert: present[1] ? files.cert : undefined, key: present[2] ? files.key : undefined, verify: !docker.SkipTLSVerify }
    : undefined;
  return { host: docker.Host, contextName: name, source, tls: speaksTls(docker.Host) ? tls : undefined };
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
