import * as path from 'path';
import { resolveDriverEndpoint } from './dockerMachineDrivers';
import { FieldTypeError, goDir, GoFields } from './goJsonFields';
import { Machine, MachineProblem } from './machine';
import { sshEndpointError } from './sshEndpointCheck';
import { isJsonObject, parseStrictJson } from './strictJson';

/** libmachine/version/version.go ConfigVersion: the newest config.json format. */
export const NEWEST_CONFIG_VERSION = 3;

/** Where the daemon answers on a docker-machine host without a TLS endpoint (the `none`-like cases). */
export const DOCKER_MACHINE_DAEMON_HOST = 'unix:///var/run/docker.sock';

/**
 * A docker-machine daemon listens on its TLS port (2376) beside the socket.
 * Deploy verifies it there, through the SSH connection, with the client
 * certificates docker-machine keeps here: that works whatever the SSH user
 * may do with /var/run/docker.sock on the machine (root or the docker group).
 */
export function dockerMachineDaemonHost(engineUrl: string | undefined): string {
  if (!engineUrl) return DOCKER_MACHINE_DAEMON_HOST;
  const port = /:(\d+)\/?$/.exec(engineUrl)?.[1] ?? '2376';
  return `tcp://localhost:${port}`;
}

/** A machine read from config.json, before its files are looked at on disk. */
export interface MachineConfigDraft {
  readonly machine: Machine;
  /** Where docker-machine itself would look for each TLS file, in the order tried (see tlsCandidates). */
  readonly tls: { readonly ca: readonly string[]; readonly cert: readonly string[]; readonly key: readonly string[] };
}

const problem = (name: string, origin: string, message: string): { problem: MachineProblem } => ({ problem: { name, source: 'docker-machine', origin, message } });

/**
 * A driver's fields given as bytes: Go marshals []byte as base64, and some
 * files carry the driver's JSON as plain text in a string.
 */
function decodeDriverBytes(value: unknown): Record<string, unknown> | undefined {
  if (isJsonObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  const candidates = /^[A-Za-z0-9+/=\s]+$/.test(value) ? [Buffer.from(value, 'base64').toString('utf8'), value] : [value];
  for (const text of candidates) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isJsonObject(parsed)) return parsed;
    } catch {
      // not this form; try the next
    }
  }
  return undefined;
}

/** Driver fields that decide where SSH and the engine connect: the ones worth a word when they come from RawDriver. */
const CONNECTION_FIELDS = new Set(['ipaddress', 'publicip', 'sshuser', 'sshport', 'sshkeypath', 'sshkey', 'storepath', 'engineport', 'dockerport', 'url']);

/**
 * The driver's fields. docker-machine (libmachine/host/migrate.go) decodes the
 * `Driver` object and ignores a `RawDriver` field on disk (migrate_test.go:
 * "no matter what was in RawDriver before, it should load ... what is
 * actually in the Driver field"). Files written by the 0.5 releases carry the
 * full driver only in RawDriver next to a stub Driver, so fields the Driver
 * object lacks are taken from RawDriver instead of being left at zero, where
 * docker-machine would connect to port 22 of the workstation itself.
 */
function driverFields(top: GoFields, file: string): { fields: Record<string, unknown>; fromRaw: string[] } | { error: string } {
  const driver = top.get('Driver');
  const own = isJsonObject(driver) ? driver : decodeDriverBytes(driver);
  const rawValue = top.get('RawDriver');
  const raw = rawValue === undefined || rawValue === null ? undefined : decodeDriverBytes(rawValue);
  if (!own && !raw) {
    if (driver === undefined || driver === null) return { error: `${file} has no Driver object, so the machine's address, user and key are unknown` };
    // Its text is not quoted: drivers keep cloud credentials (AccessToken, SecretKey) beside the address.
    return { error: `${file}: Driver is neither a JSON object nor base64 JSON bytes, so the machine's address, user and key are unknown` };
  }
  const fields: Record<string, unknown> = { ...(own ?? {}) };
  const ownKeys = new Set(Object.keys(fields).map((k) => k.toLowerCase()));
  const fromRaw = Object.keys(raw ?? {}).filter((k) => !ownKeys.has(k.toLowerCase()));
  for (const k of fromRaw) fields[k] = raw?.[k];
  return { fields, fromRaw: fromRaw.filter((k) => CONNECTION_FIELDS.has(k.toLowerCase())) };
}

/**
 * The global store path the driver resolves its files against
 * (BaseDriver.ResolveStorePath). config v3 keeps it in the driver; older
 * versions get filepath.Dir(filepath.Dir(top-level StorePath)) written into
 * the driver by the v2→v3 migration. Where that yields nothing ("." — v2
 * files had no top-level StorePath) docker-machine would resolve against its
 * working folder; the store being read is used instead.
 */
function driverStorePath(version: number, top: GoFields, driver: GoFields, storeRoot: string): string {
  const recorded = version >= NEWEST_CONFIG_VERSION ? driver.string('StorePath') : goDir(goDir(top.string('StorePath')));
  return recorded && recorded !== '.' ? recorded : storeRoot;
}

/**
 * Reads one machine's config.json text in any format docker-machine loads
 * (v0 flat, v1, v2, v3, v3 with RawDriver) into a Machine, or a problem
 * naming the file (and line:column for JSON syntax errors). `name` is the
 * machine's folder name, which docker-machine uses over the file's Name.
 */
export function parseMachineConfig(name: string, text: string, file: string, storeRoot: string): { draft: MachineConfigDraft } | { problem: MachineProblem } {
  const parsed = parseStrictJson(text);
  if ('error' in parsed) {
    const { line, column, message } = parsed.error;
    return problem(name, `${file}:${line}:${column}`, `config.json is not valid JSON at line ${line}, column ${column}: ${message}. docker-machine cannot load this machine either; fix the file or restore config.json.bak beside it.`);
  }
  if (!isJsonObject(parsed.value)) return problem(name, file, 'config.json must hold a JSON object ({ "ConfigVersion": 3, "Driver": {...}, ... }).');
  const top = new GoFields(parsed.value, '');
  try {
    const version = top.int('ConfigVersion');
    if (version > NEWEST_CONFIG_VERSION || version < 0) {
      return problem(name, file, `ConfigVersion ${version} is not a docker-machine config format this reads (0 to ${NEWEST_CONFIG_VERSION}); docker-machine says "config version is from the future" too.`);
    }
    const driverName = top.string('DriverName');
    if (!driverName) return problem(name, file, 'config.json names no driver (DriverName is missing or empty), so docker-machine cannot load the machine.');
    const found = driverFields(top, file);
    if ('error' in found) return problem(name, file, found.error);
    const driver = new GoFields(found.fields, 'Driver.');
    const storePath = driverStorePath(version, top, driver, storeRoot);
    const endpoint = resolveDriverEndpoint(driverName, driver, storePath, driver.string('MachineName') || name);
    if (endpoint.sshHost === undefined) {
      const made = endpoint.engineUrl ? ` (made with --url ${endpoint.engineUrl})` : '';
      return problem(name, file, `driver "${driverName}" gives docker-machine no SSH access to this machine${made}; add the host to dockerFork.machines.sshHosts to deploy to it.`);
    }
    if (!endpoint.sshHost) {
      return problem(name, file, `config.json records no address for this ${driverName} machine (Driver.IPAddress is empty; docker-machine asks the provider). Start it with 'docker-machine start ${name}' or add it to dockerFork.machines.sshHosts.`);
    }
    if (driverName === 'virtualbox' && !driver.int('SSHPort')) {
      return problem(name, file, `config.json records no forwarded SSH port (Driver.SSHPort) for this virtualbox machine, so 127.0.0.1:22 would be this computer itself. Start it with 'docker-machine start ${name}', which records the port.`);
    }
    const invalid = sshEndpointError(endpoint.sshHost, endpoint.sshUser, endpoint.sshPort);
    if (invalid) return problem(name, file, `cannot be reached over SSH: ${invalid}.`);

    const warnings: string[] = [];
    if (found.fromRaw.length) warnings.push(`${file}: ${found.fromRaw.join(', ')} read from RawDriver, because the Driver object lacks them (docker-machine since 0.6 reads only Driver and would not find this machine's address).`);
    if (!endpoint.knownDriver) warnings.push(`driver "${driverName}" is a plugin this does not know; its SSH address, port, user and key are docker-machine's defaults for any driver, which the plugin may override.`);
    const machineDir = path.join(storeRoot, 'machines', name);
    // v0 files keep the certificate paths at the top level (host_v0.go); later ones in HostOptions.AuthOptions.
    const auth = version === 0 ? top : top.object('HostOptions').object('AuthOptions');
    const machine: Machine = {
      name,
      source: 'docker-machine',
      driver: driverName,
      ssh: {
        host: endpoint.sshHost,
        port: endpoint.sshPort,
        user: endpoint.sshUser,
        identityFile: endpoint.keyPath,
        // docker-machine passes StrictHostKeyChecking=no and UserKnownHostsFile=/dev/null (libmachine/ssh/client.go).
        hostKeys: 'pinned',
        // ...and IdentitiesOnly=yes whenever it has a key, so an agent full of other keys cannot exhaust MaxAuthTries.
        options: endpoint.keyPath ? { IdentitiesOnly: 'yes' } : undefined,
      },
      daemonHost: dockerMachineDaemonHost(endpoint.engineUrl),
      origin: file,
      warnings,
    };
    const engineUrl = endpoint.engineUrl;
    // `docker-machine env` and `config` point the docker CLI at the copies in
    // the machine's folder (commands/env.go, config.go); the AuthOptions paths
    // are the originals those copies were made from (provision/utils.go ConfigureAuth).
    const tls = {
      ca: [path.join(machineDir, 'ca.pem'), auth.string('CaCertPath')].filter(Boolean),
      cert: [path.join(machineDir, 'cert.pem'), auth.string('ClientCertPath')].filter(Boolean),
      key: [path.join(machineDir, 'key.pem'), auth.string('ClientKeyPath')].filter(Boolean),
    };
    return { draft: { machine: engineUrl ? { ...machine, engine: { host: engineUrl, tls: { ca: tls.ca[0], cert: tls.cert[0], key: tls.key[0] } } } : machine, tls } };
  } catch (e) {
    if (e instanceof FieldTypeError) return problem(name, file, `${e.message}; docker-machine cannot load this machine either.`);
    throw e;
  }
}
