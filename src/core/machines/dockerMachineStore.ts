import { promises as fs } from 'fs';
import * as path from 'path';
import { MachineConfigDraft, parseMachineConfig } from './dockerMachineConfig';
import { Machine, MachineList, MachineProblem } from './machine';

/** The variables and home folder docker-machine would see (as EngineEnvironment for the docker CLI). */
export interface MachineStoreEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
}

/** `MACHINE_STORAGE_PATH` or `~/.docker/machine` (commands/mcndirs/utils.go GetBaseDir). */
export function machineStoragePath(e: MachineStoreEnvironment): string {
  return e.env.MACHINE_STORAGE_PATH || path.join(e.homeDir, '.docker', 'machine');
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * docker-machine writes absolute paths into config.json. A store copied to
 * another folder or computer keeps the old paths; the same file name in the
 * machine's own folder is then the file meant (docker-machine itself would
 * fail with "no such file").
 */
async function relocated(recorded: string, machineDir: string): Promise<string | undefined> {
  const candidate = path.join(machineDir, path.basename(recorded));
  return candidate !== recorded && (await exists(candidate)) ? candidate : undefined;
}

/**
 * The key docker-machine's external client would use, with what stops it:
 * it refuses a key it cannot stat, or whose permissions let others read it
 * (libmachine/ssh/client.go NewExternalClient), as OpenSSH does.
 */
async function checkKey(machine: Machine, machineDir: string, warnings: string[]): Promise<string | undefined> {
  const recorded = machine.ssh.identityFile;
  if (!recorded) return undefined;
  let key = recorded;
  if (!(await exists(recorded))) {
    const moved = await relocated(recorded, machineDir);
    if (!moved) {
      warnings.push(`SSH key ${recorded} does not exist (from ${machine.origin}); docker-machine and ssh cannot log in to "${machine.name}" without it.`);
      return recorded;
    }
    warnings.push(`SSH key ${recorded} (from ${machine.origin}) does not exist; using ${moved}, the same file in the machine's folder (the store was moved).`);
    key = moved;
  }
  if (process.platform !== 'win32') {
    const mode = (await fs.stat(key)).mode & 0o777;
    if (mode & 0o077) warnings.push(`SSH key ${key} has permissions ${mode.toString(8).padStart(4, '0')}, which ssh refuses as too open; run chmod 600 '${key}'.`);
  }
  return key;
}

/** The first TLS file docker-machine's copies or originals offer that exists; the first candidate when none does. */
async function firstExisting(candidates: readonly string[], machineDir: string): Promise<string | undefined> {
  for (const c of candidates) if (await exists(c)) return c;
  for (const c of candidates) {
    const moved = await relocated(c, machineDir);
    if (moved) return moved;
  }
  return undefined;
}

async function checkFiles(draft: MachineConfigDraft, machineDir: string): Promise<Machine> {
  const { machine } = draft;
  const warnings = [...(machine.warnings ?? [])];
  const identityFile = await checkKey(machine, machineDir, warnings);
  let engine = machine.engine;
  if (engine) {
    const [ca, cert, key] = await Promise.all([draft.tls.ca, draft.tls.cert, draft.tls.key].map((c) => firstExisting(c, machineDir)));
    const missing = [[ca, 'ca.pem'], [cert, 'cert.pem'], [key, 'key.pem']].filter(([found]) => !found).map(([, file]) => file);
    if (missing.length) warnings.push(`TLS ${missing.join(', ')} for the engine at ${engine.host} not found in ${machineDir} nor where ${machine.origin} says; 'docker-machine regenerate-certs ${machine.name}' makes new ones.`);
    engine = { host: engine.host, tls: { ca: ca ?? engine.tls!.ca, cert: cert ?? engine.tls!.cert, key: key ?? engine.tls!.key } };
  }
  return { ...machine, ssh: { ...machine.ssh, identityFile }, engine, warnings: warnings.length ? warnings : undefined };
}

/**
 * docker-machine's store: one folder per machine under `machines/`, each with
 * its config.json (libmachine/persist/filestore.go). Reading it never changes
 * it (docker-machine rewrites migrated files; this does not).
 */
export class MachineStore {
  constructor(readonly root: string) {}

  static fromEnvironment(e: MachineStoreEnvironment): MachineStore {
    return new MachineStore(machineStoragePath(e));
  }

  /** Machine folder names as Filestore.List finds them: folders not starting with ".". */
  async names(): Promise<string[]> {
    const dir = path.join(this.root, 'machines');
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return []; // no docker-machine store: no machines
      throw e;
    }
    return entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  }

  /** One machine, or the problem that stops it being read (naming the file). */
  async load(name: string): Promise<{ machine: Machine } | { problem: MachineProblem }> {
    const machineDir = path.join(this.root, 'machines', name);
    const file = path.join(machineDir, 'config.json');
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'has no config.json, so docker-machine cannot load it either' : `config.json cannot be read: ${(e as Error).message}`;
      return { problem: { name, source: 'docker-machine', origin: file, message: `machine folder ${machineDir} ${why}.` } };
    }
    const parsed = parseMachineConfig(name, text, file, this.root);
    if ('problem' in parsed) return parsed;
    return { machine: await checkFiles(parsed.draft, machineDir) };
  }

  /** Every machine in the store; broken ones become problems beside the good ones. */
  async list(): Promise<MachineList> {
    const loaded = await Promise.all((await this.names()).map((n) => this.load(n)));
    return {
      machines: loaded.flatMap((l) => ('machine' in l ? [l.machine] : [])),
      problems: loaded.flatMap((l) => ('problem' in l ? [l.problem] : [])),
    };
  }
}
