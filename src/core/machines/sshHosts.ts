import * as path from 'path';
import { Machine, MachineList, MachineProblem } from './machine';
import { sshEndpointError } from './sshEndpointCheck';
import { isJsonObject } from './strictJson';

/** Where the `dockerFork.machines.sshHosts` entries came from, for messages and relative key paths. */
export interface SshHostSettings {
  readonly entries: readonly unknown[];
  /** The settings file, or a description such as `user settings`. */
  readonly origin: string;
  /** 1-based line of each entry in `origin`, where known. */
  readonly lines?: readonly (number | undefined)[];
  /** For `~/` in identityFile. */
  readonly homeDir: string;
  /** Relative identityFile paths are taken from here (the folder whose settings these are). */
  readonly baseDir?: string;
}

/**
 * `[user@]host[:port]`, host possibly `[IPv6]`. A bare name is an
 * ssh_config alias (or a plain host name): port and user stay undefined so
 * OpenSSH applies ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump).
 */
export function parseSshTarget(text: string): { host: string; user?: string; port?: number } | { error: string } {
  const m = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:@]*)(?::(\d*))?$/.exec(text.trim());
  if (!m) return { error: `"${text}" is not user@host:port or an ssh_config alias` };
  const [, user, rawHost, port] = m;
  if (port === '') return { error: `"${text}" has a ":" but no port after it` };
  return { host: rawHost.replace(/^\[(.*)\]$/, '$1'), user: user === undefined ? undefined : user, port: port === undefined ? undefined : Number(port) };
}

function expandKey(file: string, s: SshHostSettings): string {
  if (file === '~' || file.startsWith('~/')) return path.join(s.homeDir, file.slice(1));
  return s.baseDir ? path.resolve(s.baseDir, file) : file;
}

type Entry = { machine: Machine } | { problem: MachineProblem };

function entryFromObject(o: Record<string, unknown>, where: string, s: SshHostSettings): Entry {
  const wrong = (message: string): Entry => ({ problem: { name: typeof o.name === 'string' && o.name ? o.name : String(o.host ?? '?'), source: 'ssh', origin: where, message } });
  for (const key of Object.keys(o)) if (!['name', 'host', 'port', 'user', 'identityFile'].includes(key)) return wrong(`unknown field "${key}" (use name, host, port, user, identityFile).`);
  if (typeof o.host !== 'string' || !o.host) return wrong('needs "host": a host name, address or ssh_config alias.');
  if (o.name !== undefined && (typeof o.name !== 'string' || !o.name)) return wrong('"name" must be a non-empty string.');
  if (o.port !== undefined && typeof o.port !== 'number') return wrong('"port" must be a number.');
  if (o.user !== undefined && typeof o.user !== 'string') return wrong('"user" must be a string.');
  if (o.identityFile !== undefined && (typeof o.identityFile !== 'string' || !o.identityFile)) return wrong('"identityFile" must be the path of a private key.');
  const invalid = sshEndpointError(o.host, o.user as string | undefined, o.port as number | undefined);
  if (invalid) return wrong(`cannot be reached over SSH: ${invalid}.`);
  return {
    machine: {
      name: (o.name as string | undefined) ?? o.host,
      source: 'ssh',
      ssh: { host: o.host, port: o.port as number | undefined, user: o.user as string | undefined, identityFile: o.identityFile ? expandKey(o.identityFile as string, s) : undefined, hostKeys: 'user' },
      daemonHost: 'unix:///var/run/docker.sock',
      origin: where,
    },
  };
}

function entryFromString(text: string, where: string): Entry {
  const target = parseSshTarget(text);
  const invalid = 'error' in target ? target.error : sshEndpointError(target.host, target.user, target.port);
  if (invalid || 'error' in target) return { problem: { name: text, source: 'ssh', origin: where, message: `cannot be reached over SSH: ${invalid}.` } };
  return { machine: { name: text, source: 'ssh', ssh: { ...target, hostKeys: 'user' }, daemonHost: 'unix:///var/run/docker.sock', origin: where } };
}

/** The plain SSH hosts of `dockerFork.machines.sshHosts`; a bad entry is a problem naming its line, the others still count. */
export function sshHostMachines(s: SshHostSettings): MachineList {
  const read = s.entries.map((e, i): Entry => {
    const line = s.lines?.[i];
    const where = `${s.origin}${line ? `:${line}` : ''} (dockerFork.machines.sshHosts[${i}])`;
    if (typeof e === 'string') return entryFromString(e, where);
    if (isJsonObject(e)) return entryFromObject(e, where, s);
    return { problem: { name: `sshHosts[${i}]`, source: 'ssh', origin: where, message: 'each entry must be "user@host:port", an ssh_config alias, or { "name", "host", "port", "user", "identityFile" }.' } };
  });
  return { machines: read.flatMap((r) => ('machine' in r ? [r.machine] : [])), problems: read.flatMap((r) => ('problem' in r ? [r.problem] : [])) };
}
