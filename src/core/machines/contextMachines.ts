import { promises as fs } from 'fs';
import * as path from 'path';
import { dockerConfigDir, EngineEnvironment } from '../engine/endpoint';
import { Machine, MachineList, MachineProblem } from './machine';
import { sshEndpointError } from './sshEndpointCheck';
import { isJsonObject, parseStrictJson } from './strictJson';

/** Over `ssh://` the docker CLI runs `docker system dial-stdio` on the host, which talks to that host's default socket. */
const CONTEXT_DAEMON_HOST = 'unix:///var/run/docker.sock';

/**
 * `ssh://[user@]host[:port]` as the docker CLI's connhelper/ssh ParseURL
 * takes it: a user without password, a host, an optional port, nothing after.
 */
export function parseSshUrl(url: string): { host: string; user?: string; port?: number } | { error: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `"${url}" is not a URL` };
  }
  if (u.protocol !== 'ssh:') return { error: `"${url}" is not an ssh:// URL` };
  if (u.password) return { error: 'a password in the URL is not supported (the docker CLI refuses it too)' };
  if (u.pathname && u.pathname !== '/') return { error: `extra path after the host: "${u.pathname}" (the docker CLI refuses it too)` };
  if (u.search || u.hash) return { error: 'a query or fragment after the host is not supported' };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { error: 'no host name' };
  return { host, user: u.username ? decodeURIComponent(u.username) : undefined, port: u.port ? Number(u.port) : undefined };
}

/** One context's meta.json text → a machine, nothing (not an ssh:// context), or a problem naming the file. */
export function machineFromContextMeta(text: string, file: string): { machine?: Machine; problem?: MachineProblem } {
  const fallbackName = `context:${path.basename(path.dirname(file))}`;
  const parsed = parseStrictJson(text);
  if ('error' in parsed) {
    const { line, column, message } = parsed.error;
    return { problem: { name: fallbackName, source: 'context', origin: `${file}:${line}:${column}`, message: `context meta.json is not valid JSON at line ${line}, column ${column}: ${message}. 'docker context ls' fails on it too.` } };
  }
  const meta = parsed.value;
  if (!isJsonObject(meta)) return { problem: { name: fallbackName, source: 'context', origin: file, message: 'context meta.json must hold a JSON object.' } };
  const name = typeof meta.Name === 'string' && meta.Name ? `context:${meta.Name}` : fallbackName;
  const endpoints = isJsonObject(meta.Endpoints) ? meta.Endpoints : {};
  const docker = isJsonObject(endpoints.docker) ? endpoints.docker : {};
  const host = typeof docker.Host === 'string' ? docker.Host : '';
  if (!host.startsWith('ssh://')) return {}; // unix://, tcp://, npipe:// contexts are engines, not SSH machines
  const url = parseSshUrl(host);
  const invalid = 'error' in url ? url.error : sshEndpointError(url.host, url.user, url.port);
  if (invalid || 'error' in url) return { problem: { name, source: 'context', origin: file, message: `docker endpoint ${host} cannot be used: ${invalid}.` } };
  return {
    machine: {
      name,
      source: 'context',
      // Port and user stay undefined when the URL has none: ssh_config decides, as for `docker --context`.
      ssh: { host: url.host, port: url.port, user: url.user, hostKeys: 'user' },
      daemonHost: CONTEXT_DAEMON_HOST,
      origin: file,
    },
  };
}

/** Every Docker context with an `ssh://` docker endpoint, from `<DOCKER_CONFIG>/contexts/meta/<sha256 of name>/meta.json`. */
export async function listContextMachines(e: EngineEnvironment): Promise<MachineList> {
  const metaDir = path.join(dockerConfigDir(e), 'contexts', 'meta');
  let dirs: string[];
  try {
    dirs = (await fs.readdir(metaDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { machines: [], problems: [] };
    throw err;
  }
  const read = await Promise.all(dirs.map(async (d) => {
    const file = path.join(metaDir, d, 'meta.json');
    try {
      return machineFromContextMeta(await fs.readFile(file, 'utf8'), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: { name: `context:${d}`, source: 'context' as const, origin: file, message: `cannot be read: ${(err as Error).message}` } };
    }
  }));
  return {
    machines: read.flatMap((r) => (r.machine ? [r.machine] : [])),
    problems: read.flatMap((r) => (r.problem ? [r.problem] : [])),
  };
}
