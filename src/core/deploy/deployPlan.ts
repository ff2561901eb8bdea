// The plan of a deploy, built by pure code from what the machine told us:
// which file goes where, which are already there, the drop-in, the restart
// and what the daemon must report afterwards. The runner only carries it out.
import * as path from 'path/posix';
import { remoteShCommand, ScriptLine, shellCommand, shellQuote, shellScript } from '../util/remoteShell';
import { commitOfVersion, DeployFile } from './deployFiles';
import { dropInName, effectiveExecStart, OUR_DROP_IN, renderDropIn, splitExecStart, UnitFile } from './systemdUnit';

export type DeployMode = 'replace' | 'dropin';

export interface DeployOptions {
  /** `replace` (default): into the folder the daemon runs from; `dropin`: /opt/bin and a systemd drop-in, for a read-only /usr. */
  readonly mode?: DeployMode;
  /** Where the binaries go; default: the running daemon's folder (replace) or /opt/bin (dropin). */
  readonly dest?: string;
  /** A command that restarts the daemon, for hosts without systemd. Run by sh on the machine. */
  readonly restart?: string;
  /** Where the daemon answers as seen on the machine; default the machine's own, else unix:///var/run/docker.sock. */
  readonly daemonHost?: string;
  readonly unit?: string;
  readonly dropInDir?: string;
  /** Where backups and manifests are kept on the machine. */
  readonly remoteStateDir?: string;
  readonly restartTimeoutSec?: number;
  readonly verifyTimeoutSec?: number;
  readonly keepBackups?: number;
  /** Install and restart even when every file is already there. */
  readonly force?: boolean;
}

export const DEFAULTS = {
  unit: 'docker.service',
  dropInDir: '/etc/systemd/system/docker.service.d',
  remoteStateDir: '/var/lib/dockerfork',
  daemonHost: 'unix:///var/run/docker.sock',
  replaceDest: '/usr/bin',
  dropInDest: '/opt/bin',
  restartTimeoutSec: 120,
  verifyTimeoutSec: 60,
  keepBackups: 5,
} as const;

/** What the daemon reports on /version. */
export interface DaemonVersion {
  readonly version: string;
  readonly commit: string;
  readonly apiVersion?: string;
}

/** What the first look at the machine found. */
export interface HostBasics {
  readonly uid: number;
  readonly hasSystemctl: boolean;
  /** `systemctl cat UNIT`, split per file; empty when there is no such unit. */
  readonly unitFiles: readonly UnitFile[];
  /** `command -v dockerd`. */
  readonly dockerdOnPath?: string;
}

/** What the second look found, in the chosen folder. */
export interface HostFiles {
  /** sha256 of each file name in dest; undefined when absent. */
  readonly installed: ReadonlyMap<string, string | undefined>;
  /** Names in the drop-in folder. */
  readonly dropIns: readonly string[];
  /** Backup ids in the state folder, oldest first. */
  readonly backups: readonly string[];
}

export interface PlannedFile extends DeployFile {
  readonly remotePath: string;
  readonly tempPath: string;
  readonly existed: boolean;
  readonly unchanged: boolean;
}

export interface DeployPlan {
  readonly id: string;
  readonly machine: string;
  readonly mode: DeployMode;
  readonly dest: string;
  readonly sudo: boolean;
  readonly files: readonly PlannedFile[];
  readonly dropIn?: { readonly path: string; readonly content: string; readonly existed: boolean };
  readonly restart: { readonly script: string; readonly description: string; readonly systemd: boolean };
  readonly daemonHost: string;
  /** The commit the deployed dockerd reports, when it says one. */
  readonly expectCommit?: string;
  readonly stateDir: string;
  readonly backupDir: string;
  readonly restartTimeoutSec: number;
  readonly verifyTimeoutSec: number;
  /** Backups to remove once this deploy has succeeded (beyond keepBackups). */
  readonly pruneBackups: readonly string[];
  /** Nothing to upload or write, and the daemon already runs the commit. */
  readonly upToDate: boolean;
}

/** Written beside the backup on the machine; rollback reads it back. */
export interface DeployManifest {
  readonly format: 1;
  readonly id: string;
  readonly machine: string;
  readonly at: string;
  readonly mode: DeployMode;
  readonly dest: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly path: string; readonly existed: boolean; readonly sha256: string }>;
  readonly dropIn?: { readonly path: string; readonly existed: boolean };
  readonly restart: { readonly script: string; readonly description: string; readonly systemd: boolean };
  readonly daemonHost: string;
  /** What ran before: rollback verifies the daemon reports it again. */
  readonly previous?: DaemonVersion;
  readonly expectCommit?: string;
}

/** `20261123T153012Z-1a2b`: sorts by time, unique enough for one machine. */
export function deployId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${random}`;
}

/** A destination without its trailing slashes (`/` stays `/`). */
export function normalizeDest(dest: string): string {
  return dest.replace(/(.)\/+$/, '$1');
}

/** Where the binaries go, before the machine's files are looked at. */
export function chooseDest(options: DeployOptions, basics: HostBasics): string {
  if (options.dest) return normalizeDest(options.dest);
  if ((options.mode ?? 'replace') === 'dropin') return DEFAULTS.dropInDest;
  const exec = effectiveExecStart(basics.unitFiles);
  const running = exec ? splitExecStart(exec).binary : basics.dockerdOnPath;
  return running && running.startsWith('/') ? path.dirname(running) : DEFAULTS.replaceDest;
}

export interface PlanInput {
  readonly machine: string;
  readonly machineDaemonHost?: string;
  readonly files: readonly DeployFile[];
  readonly options: DeployOptions;
  readonly basics: HostBasics;
  readonly hostFiles: HostFiles;
  readonly running?: DaemonVersion;
  readonly id: string;
  readonly now: Date;
}

export function planDeploy(input: PlanInput): DeployPlan {
  const { options, basics, hostFiles } = input;
  const mode = options.mode ?? 'replace';
  const dest = chooseDest(options, basics);
  if (!dest.startsWith('/')) throw new Error(`${input.machine}: the destination must be an absolute path, not ${dest}`);
  if (input.files.length === 0) throw new Error(`${input.machine}: nothing to deploy`);
  const stateDir = options.remoteStateDir ?? DEFAULTS.remoteStateDir;
  const backupDir = `${stateDir}/backups/${input.id}`;
  const files: PlannedFile[] = input.files.map((f) => {
    if (f.name.includes('/') || f.name === '.' || f.name === '..') throw new Error(`${input.machine}: cannot install a file named ${JSON.stringify(f.name)}`);
    const now = hostFiles.installed.get(f.name);
    return { ...f, remotePath: `${dest}/${f.name}`, tempPath: `${dest}/.${f.name}.dfw-${input.id}`, existed: now !== undefined, unchanged: now === f.sha256 && !options.force };
  });
  const unit = options.unit ?? DEFAULTS.unit;
  let dropIn: DeployPlan['dropIn'];
  if (mode === 'dropin') {
    if (!basics.hasSystemctl && !options.restart) throw new Error(`${input.machine}: drop-in mode needs systemd, and systemctl was not found; give a restart command instead`);
    if (basics.unitFiles.length === 0) throw new Error(`${input.machine}: systemctl knows no ${unit}, so there is no ExecStart to keep the flags of`);
    const dropInDir = options.dropInDir ?? DEFAULTS.dropInDir;
    // Our own drop-in from an earlier deploy does not count as a flag source:
    // the flags come from what the unit runs without it.
    const withoutOurs = basics.unitFiles.filter((f) => !OUR_DROP_IN.test(path.basename(f.path)));
    const name = dropInName(hostFiles.dropIns.filter((n) => !OUR_DROP_IN.test(n)));
    const dropInPath = `${dropInDir}/${name}`;
    dropIn = { path: dropInPath, content: renderDropIn(withoutOurs, dest, input.machine, input.now.toISOString()), existed: hostFiles.dropIns.includes(name) };
  }
  const restartTimeoutSec = options.restartTimeoutSec ?? DEFAULTS.restartTimeoutSec;
  const restart = options.restart
    ? { script: shellScript([['timeout', String(restartTimeoutSec), 'sh', '-c', options.restart]]), description: options.restart, systemd: false }
    : systemdRestart(input.machine, basics, unit, restartTimeoutSec);
  const dockerd = input.files.find((f) => f.name === 'dockerd');
  const expectCommit = commitOfVersion(dockerd?.version);
  const keep = Math.max(1, options.keepBackups ?? DEFAULTS.keepBackups);
  const upToDate = files.every((f) => f.unchanged) && !(dropIn && !basics.unitFiles.some((f) => f.path === dropIn!.path && f.text.trim() === dropIn!.content.trim())) && !!input.running && (!expectCommit || commitMatches(input.running.commit, expectCommit));
  return {
    id: input.id,
    machine: input.machine,
    mode,
    dest,
    sudo: basics.uid !== 0,
    files,
    dropIn,
    restart,
    daemonHost: options.daemonHost ?? input.machineDaemonHost ?? DEFAULTS.daemonHost,
    expectCommit,
    stateDir,
    backupDir,
    restartTimeoutSec,
    verifyTimeoutSec: options.verifyTimeoutSec ?? DEFAULTS.verifyTimeoutSec,
    pruneBackups: hostFiles.backups.slice(0, Math.max(0, hostFiles.backups.length + 1 - keep)),
    upToDate,
  };
}

function commitMatches(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return n >= 7 && a.slice(0, n).toLowerCase() === b.slice(0, n).toLowerCase();
}

function systemdRestart(machine: string, basics: HostBasics, unit: string, timeoutSec: number): DeployPlan['restart'] {
  if (!basics.hasSystemctl) throw new Error(`${machine}: systemctl was not found, so the daemon cannot be restarted the usual way; give a restart command (--restart CMD, or dockerFork.deploy.restartCommand)`);
  // `timeout`: a unit with TimeoutStartSec=0 (Docker's own) waits forever for a daemon that never says ready.
  return { script: shellScript([['systemctl', 'daemon-reload'], ['timeout', String(timeoutSec), 'systemctl', 'restart', unit]]), description: `systemctl restart ${unit}`, systemd: true };
}

// --- the scripts the runner sends -----------------------------------------

/** First look: who we are, systemd, the unit, where dockerd is. Sections split by marker lines. */
export function basicsProbeCommand(unit: string): string {
  return remoteShCommand(basicsProbeScript(unit));
}

function basicsProbeScript(unit: string): string {
  return [
    'echo "@@uid"; id -u',
    'echo "@@systemctl"; command -v systemctl || true',
    `echo "@@unit"; if command -v systemctl >/dev/null 2>&1; then systemctl cat ${shellQuote(unit)} 2>/dev/null || true; fi`,
    'echo "@@dockerd"; command -v dockerd || true',
  ].join('\n');
}

export function parseProbe(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  let key: string | undefined;
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^@@(\w+)$/.exec(line);
    if (m) {
      if (key) sections.set(key, lines.join('\n').trim());
      key = m[1];
      lines = [];
    } else lines.push(line);
  }
  if (key) sections.set(key, lines.join('\n').trim());
  return sections;
}

/**
 * Second look: for each file, its sha256 in dest when it has the size of
 * ours (`-` when absent, `~` when the size differs: no need to read it),
 * the drop-ins and our backups.
 */
export function filesProbeCommand(dest: string, files: ReadonlyArray<{ name: string; size: number }>, dropInDir: string, stateDir: string): string {
  return remoteShCommand(shellScript(filesProbeLines(dest, files, dropInDir, stateDir)));
}

export function filesProbeLines(dest: string, files: ReadonlyArray<{ name: string; size: number }>, dropInDir: string, stateDir: string): ScriptLine[] {
  const lines: ScriptLine[] = [{ raw: 'echo "@@installed"' }];
  for (const f of files) {
    const p = shellQuote(`${dest}/${f.name}`);
    lines.push({ raw: `if [ ! -f ${p} ]; then echo -; elif [ "$(wc -c < ${p})" -ne ${f.size} ]; then echo '~'; else sha256sum < ${p} | cut -d' ' -f1; fi` });
  }
  lines.push({ raw: `echo "@@dropins"; ls -1 ${shellQuote(dropInDir)} 2>/dev/null || true` });
  lines.push({ raw: `echo "@@backups"; ls -1 ${shellQuote(`${stateDir}/backups`)} 2>/dev/null || true` });
  return lines;
}

/** Both looks in one round trip, when the destination is known beforehand (--dest). */
export function fullProbeCommand(unit: string, dest: string, files: ReadonlyArray<{ name: string; size: number }>, dropInDir: string, stateDir: string): string {
  return remoteShCommand(shellScript([{ raw: basicsProbeScript(unit) }, ...filesProbeLines(dest, files, dropInDir, stateDir)]));
}

/** `~` (another size) stands for "there, and different": a value no sha256 equals. */
export const OTHER_CONTENT = '~';

export function parseHostFiles(output: string, names: readonly string[]): HostFiles {
  const s = parseProbe(output);
  const sums = (s.get('installed') ?? '').split('\n');
  const installed = new Map<string, string | undefined>();
  names.forEach((n, i) => installed.set(n, sums[i] && sums[i].trim() !== '-' ? sums[i].trim() : undefined));
  const list = (k: string) => (s.get(k) ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return { installed, dropIns: list('dropins'), backups: list('backups').filter((b) => /^\d{8}T\d{6}Z-\w+$/.test(b)).sort() };
}

/**
 * Unpacks the tar stream on stdin (uploadArchive) into the destination,
 * each file under its temp name beside the one it replaces (same file
 * system: the rename is atomic). Temp files a cut upload left are cleared first.
 */
export function uploadCommand(plan: DeployPlan): string {
  const changed = plan.files.filter((f) => !f.unchanged);
  const stale = changed.map((f) => `${shellQuote(`${plan.dest}/.${f.name}.dfw-`)}*`).join(' ');
  return remoteShCommand(shellScript([['mkdir', '-p', plan.dest], { raw: `rm -f -- ${stale}` }, ['tar', '-xf', '-', '-C', plan.dest]]), plan.sudo);
}

/** `df -Pk DEST` (POSIX columns: the fourth is the space available, in KiB). */
export function freeSpaceCommand(dest: string): string {
  return remoteShCommand(shellScript([['df', '-Pk', '--', dest]]));
}

/** The name each changed file has inside the upload archive: its temp name. */
export function archiveName(file: PlannedFile): string {
  return file.tempPath.slice(file.tempPath.lastIndexOf('/') + 1);
}

/** Removes temp files of this deploy (after a failed or cancelled upload). */
export function cleanupCommand(plan: DeployPlan): string {
  return remoteShCommand(shellScript([['rm', '-f', '--', ...plan.files.map((f) => f.tempPath)]]), plan.sudo);
}

export function manifestOf(plan: DeployPlan, running: DaemonVersion | undefined, at: Date): DeployManifest {
  const changed = plan.files.filter((f) => !f.unchanged);
  return {
    format: 1,
    id: plan.id,
    machine: plan.machine,
    at: at.toISOString(),
    mode: plan.mode,
    dest: plan.dest,
    files: changed.map((f) => ({ name: f.name, path: f.remotePath, existed: f.existed, sha256: f.sha256 })),
    dropIn: plan.dropIn && { path: plan.dropIn.path, existed: plan.dropIn.existed },
    restart: plan.restart,
    daemonHost: plan.daemonHost,
    previous: running,
    expectCommit: plan.expectCommit,
  };
}

/**
 * Install: the manifest (stdin) and copies of what is replaced go to the
 * backup first; every upload is checked against its sha256; only then are
 * the new files renamed over the old (atomic, and fine for a running
 * binary, which a write would hit with "text file busy").
 */
export function installCommand(plan: DeployPlan): string {
  const changed = plan.files.filter((f) => !f.unchanged);
  const lines: ScriptLine[] = [['mkdir', '-p', `${plan.backupDir}/files`], { raw: `cat > ${shellQuote(`${plan.backupDir}/manifest.json`)}` }];
  for (const f of changed) {
    // SSH's MAC already guarantees the bytes; a cut or a full disk shows as a short file.
    lines.push({ raw: `[ "$(wc -c < ${shellQuote(f.tempPath)})" -eq ${f.size} ] || { echo ${shellQuote(`${f.tempPath}: the upload is incomplete (expected ${f.size} bytes)`)} >&2; exit 3; }` });
    lines.push(['chmod', '0755', f.tempPath]);
  }
  // A hard link keeps the old file as it is once the rename replaces its
  // name, without copying it; across file systems, a copy.
  for (const f of changed) {
    if (f.existed) {
      const [from, to] = [shellQuote(f.remotePath), shellQuote(`${plan.backupDir}/files/${f.name}`)];
      lines.push({ raw: `ln -- ${from} ${to} 2>/dev/null || cp -a -- ${from} ${to}` });
    }
  }
  if (plan.dropIn) {
    const dir = path.dirname(plan.dropIn.path);
    const temp = `${dir}/.${path.basename(plan.dropIn.path)}.dfw-${plan.id}`;
    lines.push(['mkdir', '-p', dir]);
    if (plan.dropIn.existed) lines.push(['cp', '-a', plan.dropIn.path, `${plan.backupDir}/dropin`]);
    lines.push({ raw: `printf '%s' ${shellQuote(plan.dropIn.content)} > ${shellQuote(temp)}` }, ['mv', '-f', temp, plan.dropIn.path]);
  }
  for (const f of changed) lines.push(['mv', '-f', f.tempPath, f.remotePath]);
  return remoteShCommand(shellScript(lines), plan.sudo);
}

export function restartCommand(restart: DeployPlan['restart'], sudo: boolean): string {
  return remoteShCommand(restart.script, sudo);
}

export function pruneCommand(plan: DeployPlan): string | undefined {
  if (plan.pruneBackups.length === 0) return undefined;
  return remoteShCommand(shellScript([['rm', '-rf', '--', ...plan.pruneBackups.map((b) => `${plan.stateDir}/backups/${b}`)]]), plan.sudo);
}

/**
 * Puts back what the manifest's deploy replaced, removes what it added. A
 * file without a copy in the backup was never replaced (install copies
 * everything before it renames anything), so it is left alone.
 */
export function restoreCommand(manifest: DeployManifest, backupDir: string, sudo: boolean): string {
  const lines: ScriptLine[] = [];
  const ifExists = (file: string, then: readonly (readonly string[])[]) => ({ raw: `if [ -e ${shellQuote(file)} ] || [ -L ${shellQuote(file)} ]; then ${then.map((c) => shellCommand(c)).join('; ')}; fi` });
  for (const f of manifest.files) {
    if (f.existed) {
      const temp = `${path.dirname(f.path)}/.${f.name}.dfw-restore`;
      lines.push(ifExists(`${backupDir}/files/${f.name}`, [['cp', '-a', `${backupDir}/files/${f.name}`, temp], ['mv', '-f', temp, f.path]]));
    } else lines.push(['rm', '-f', '--', f.path]);
  }
  if (manifest.dropIn) {
    if (manifest.dropIn.existed) lines.push(ifExists(`${backupDir}/dropin`, [['cp', '-a', `${backupDir}/dropin`, manifest.dropIn.path]]));
    else lines.push(['rm', '-f', '--', manifest.dropIn.path]);
  }
  return remoteShCommand(shellScript(lines), sudo);
}

export function removeBackupCommand(backupDir: string, sudo: boolean): string {
  return remoteShCommand(shellScript([['rm', '-rf', '--', backupDir]]), sudo);
}

/** The backup ids kept in the state folder (parseHostFiles reads the answer). */
export function backupsProbeCommand(stateDir: string): string {
  return remoteShCommand(shellScript([{ raw: `echo "@@backups"; ls -1 ${shellQuote(`${stateDir}/backups`)} 2>/dev/null || true` }]));
}

export function readManifestCommand(backupDir: string, sudo: boolean): string {
  return remoteShCommand(shellScript([['cat', `${backupDir}/manifest.json`]]), sudo);
}
