import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findBinary } from './preflight';

/**
 * What of the host the tests and `npm start` must leave exactly as they
 * found it: network interfaces and their addresses, routes, firewall rules,
 * forwarding switches, and the user's SSH and Docker configuration. Each
 * entry is normalised text, so two snapshots compare with `diffHostStates`.
 */
export interface HostState {
  /** Section name (`links`, `routes4`, `iptables-save`, `file /etc/ssh/…`) -> its normalised content. */
  readonly entries: Record<string, string>;
}

/**
 * The user's SSH and Docker configuration and the system's, and where
 * code-server and Chromium write by default (they must write under their
 * temp dirs instead).
 */
export function watchedDirs(): string[] {
  const homes = [...new Set([os.homedir(), os.userInfo().homedir])];
  const inHome = ['.ssh', '.docker', '.config/code-server', '.local/share/code-server', '.config/chromium'];
  return [...homes.flatMap((h) => inHome.map((d) => path.join(h, d))), '/etc/docker', '/etc/ssh'];
}

export function takeHostState(dirs = watchedDirs()): HostState {
  const entries: Record<string, string> = {};
  Object.assign(entries, networkState());
  for (const dir of dirs) Object.assign(entries, fileState(dir));
  return { entries };
}

/** One line per difference, naming what changed; empty when the states are equal. */
export function diffHostStates(before: HostState, after: HostState): string[] {
  const lines: string[] = [];
  const keys = [...new Set([...Object.keys(before.entries), ...Object.keys(after.entries)])].sort();
  for (const k of keys) {
    const [a, b] = [before.entries[k], after.entries[k]];
    if (a === b) continue;
    if (a === undefined) lines.push(`${k}: appeared: ${b}`);
    else if (b === undefined) lines.push(`${k}: disappeared (was ${a})`);
    else {
      const [al, bl] = [a.split('\n'), b.split('\n')];
      const gone = al.filter((l) => !bl.includes(l)).map((l) => `  - ${l}`);
      const added = bl.filter((l) => !al.includes(l)).map((l) => `  + ${l}`);
      lines.push(`${k}: changed\n${[...gone, ...added].join('\n') || '  (order only)'}`);
    }
  }
  return lines;
}

/** The interface index of `name`, or undefined when there is no such interface. */
export function interfaceIndex(name: string): number | undefined {
  try {
    return Number(fs.readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function networkState(): Record<string, string> {
  const entries: Record<string, string> = {};
  const ip = findBinary('ip');
  if (ip) {
    type Link = { ifindex: number; ifname: string; flags?: string[]; master?: string; link_type?: string; address?: string; mtu?: number };
    entries.links = lines(json<Link[]>(ip, ['-j', 'link', 'show']).map((l) => `${l.ifindex} ${l.ifname} ${l.link_type ?? ''} ${l.address ?? ''} mtu ${l.mtu ?? ''} master ${l.master ?? '-'} <${(l.flags ?? []).join(',')}>`));
    type Addr = { ifname: string; addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }> };
    entries.addresses = lines(json<Addr[]>(ip, ['-j', 'addr', 'show']).flatMap((a) => (a.addr_info ?? []).map((i) => `${a.ifname} ${i.family} ${i.local}/${i.prefixlen} ${i.scope ?? ''}`)));
    type Route = { type?: string; dst?: string; gateway?: string; dev?: string; protocol?: string; scope?: string; prefsrc?: string; table?: string; metric?: number };
    for (const [name, family] of [['routes4', '-4'], ['routes6', '-6']] as const) {
      entries[name] = lines(json<Route[]>(ip, ['-j', family, 'route', 'show', 'table', 'all']).map((r) => [r.type, r.dst, r.gateway, r.dev, r.protocol, r.scope, r.prefsrc, r.table, r.metric].map((v) => v ?? '-').join(' ')));
    }
  } else {
    entries.links = lines(fs.readdirSync('/sys/class/net').map((n) => `${interfaceIndex(n)} ${n}`));
  }
  // Every firewall view this machine has: iptables over nf_tables and legacy, and nft itself.
  for (const tool of ['iptables-save', 'ip6tables-save', 'iptables-legacy-save', 'ip6tables-legacy-save']) {
    const bin = findBinary(tool);
    if (bin) entries[tool] = firewallText(capture(bin, []));
  }
  const nft = findBinary('nft');
  if (nft) entries.nft = firewallText(capture(nft, ['list', 'ruleset']));
  for (const sw of ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/bridge/bridge-nf-call-iptables']) {
    try {
      entries[`sysctl ${sw}`] = fs.readFileSync(`/proc/sys/${sw}`, 'utf8').trim();
    } catch {
      // not on this kernel
    }
  }
  return entries;
}

/** Rules without comments (timestamps) and packet counters. */
function firewallText(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.replace(/\s*\[\d+:\d+\]/g, '').replace(/counter packets \d+ bytes \d+/g, 'counter'))
    .join('\n');
}

/** Every file, directory and link below `dir`: type, mode, size, mtime and content hash. */
function fileState(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    const mode = (st.mode & 0o7777).toString(8);
    const base = `mode ${mode} uid ${st.uid} mtime ${st.mtimeMs}`;
    if (st.isSymbolicLink()) entries[`file ${p}`] = `link -> ${fs.readlinkSync(p)} ${base}`;
    else if (st.isDirectory()) {
      entries[`file ${p}`] = `dir ${base}`;
      for (const n of fs.readdirSync(p).sort()) visit(path.join(p, n));
    } else if (st.isFile()) {
      entries[`file ${p}`] = `file ${st.size} bytes sha256 ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${base}`;
    } else entries[`file ${p}`] = `special ${base}`;
  };
  if (fs.existsSync(dir)) visit(dir);
  else entries[`file ${dir}`] = 'absent';
  return entries;
}

const lines = (xs: string[]) => [...xs].sort().join('\n');

function json<T>(bin: string, args: string[]): T {
  return JSON.parse(capture(bin, args) || '[]') as T;
}

function capture(bin: string, args: string[]): string {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e) {
    // Not root, or no kernel support: say so in the entry, so a later change still shows.
    return `(${path.basename(bin)} ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message})`;
  }
}

/** Written by `npm test` before the first layer; read by the leftovers layer. */
export interface HostBaseline {
  readonly state: HostState;
  /** The bridge standing for the user's Docker, and its interface index then. */
  readonly bridge: { name: string; ifindex: number; createdByTests: boolean } | undefined;
  readonly takenAt: string;
}

/** The environment variable naming the baseline file for the leftovers layer. */
export const HOST_BASELINE_ENV = 'DFW_HOST_BASELINE';

export const USERS_DOCKER_BRIDGE = 'docker0';

/**
 * Before the first layer: makes sure a `docker0` bridge exists (a user's
 * Docker has one; the tests must leave it alone), then notes the host state.
 * Creating the bridge needs root and `ip`; without them there is none to watch.
 */
export function takeBaseline(log: (line: string) => void): HostBaseline {
  let bridge: HostBaseline['bridge'];
  const ip = findBinary('ip');
  const existing = interfaceIndex(USERS_DOCKER_BRIDGE);
  if (existing !== undefined) bridge = { name: USERS_DOCKER_BRIDGE, ifindex: existing, createdByTests: false };
  else if (ip && process.getuid?.() === 0) {
    execFileSync(ip, ['link', 'add', USERS_DOCKER_BRIDGE, 'type', 'bridge']);
    bridge = { name: USERS_DOCKER_BRIDGE, ifindex: interfaceIndex(USERS_DOCKER_BRIDGE)!, createdByTests: true };
    log(`host: created a ${USERS_DOCKER_BRIDGE} bridge standing for a user's Docker; removed after the last layer`);
  } else log(`host: no ${USERS_DOCKER_BRIDGE} bridge and cannot create one (needs root and ip): its survival is not checked`);
  return { state: takeHostState(), bridge, takenAt: new Date().toISOString() };
}

/** After the last layer: removes the bridge only if `takeBaseline` created it. */
export function releaseBaseline(baseline: HostBaseline, log: (line: string) => void): void {
  const b = baseline.bridge;
  if (!b?.createdByTests || interfaceIndex(b.name) !== b.ifindex) return;
  const ip = findBinary('ip');
  if (!ip) return;
  execFileSync(ip, ['link', 'delete', b.name]);
  log(`host: removed the ${b.name} bridge the tests created`);
}
