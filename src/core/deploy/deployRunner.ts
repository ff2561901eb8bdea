// Carries out a deploy plan over one SSH connection, step by step, and
// undoes it when the daemon does not come back with the commit we built.
import { randomBytes } from 'crypto';
import type { Machine } from '../machines/machine';
import type { ConfirmHostKey, PinnedHostKeys } from '../ssh/hostKeys';
import { CancelledError, SshSession } from '../ssh/sshSession';
import { splitSystemctlCat } from './systemdUnit';
import { DaemonProbe } from './daemonProbe';
import { DeployFileSet, sameCommit } from './deployFiles';
import {
  basicsProbeCommand,
  chooseDest,
  cleanupCommand,
  DaemonVersion,
  DEFAULTS,
  DeployManifest,
  DeployOptions,
  DeployPlan,
  deployId,
  filesProbeCommand,
  backupsProbeCommand,
  fullProbeCommand,
  normalizeDest,
  HostBasics,
  installCommand,
  manifestOf,
  parseHostFiles,
  parseProbe,
  planDeploy,
  pruneCommand,
  readManifestCommand,
  removeBackupCommand,
  restartCommand,
  restoreCommand,
  uploadCommand,
  archiveName,
  freeSpaceCommand,
} from './deployPlan';
import { uploadArchive } from './uploadArchive';
import type { DeployRecord, DeployRecords } from './deployRecords';

export type DeployStep = 'connect' | 'probe' | 'plan' | 'upload' | 'install' | 'restart' | 'verify' | 'rollback' | 'cleanup';

export interface DeployListener {
  step?(machine: string, step: DeployStep, state: 'start' | 'done' | 'failed' | 'skipped', detail?: string): void;
  /** Bytes of one file sent so far. */
  bytes?(machine: string, file: string, sent: number, total: number): void;
  plan?(machine: string, plan: DeployPlan): void;
  log?(machine: string, line: string): void;
}

export interface DeployContext {
  readonly pinnedHostKeys: PinnedHostKeys;
  readonly confirmHostKey?: ConfirmHostKey;
  readonly records: DeployRecords;
  readonly listener?: DeployListener;
  readonly signal?: AbortSignal;
  readonly sshBinary?: string;
  /** Asked with the plan before anything changes on the machine; false stops there. */
  readonly confirmPlan?: (plan: DeployPlan) => Promise<boolean>;
  /** Only show the plan. */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
}

export interface DeployResult {
  readonly machine: string;
  readonly ok: boolean;
  readonly upToDate?: boolean;
  readonly plan?: DeployPlan;
  /** What the daemon reports at the end (after a rollback: the old one). */
  readonly daemon?: DaemonVersion;
  readonly rolledBack?: boolean;
  readonly failedStep?: DeployStep;
  readonly error?: string;
  readonly durationMs: number;
  readonly bytesSent: number;
}

class StepError extends Error {
  constructor(readonly step: DeployStep, override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** Runs `fn` as a named step: start, done or failed, told to the listener. */
async function step<T>(ctx: DeployContext, machine: string, name: DeployStep, fn: () => Promise<T>, done?: (r: T) => string | undefined): Promise<T> {
  ctx.listener?.step?.(machine, name, 'start');
  try {
    const r = await fn();
    ctx.listener?.step?.(machine, name, 'done', done?.(r));
    return r;
  } catch (e) {
    ctx.listener?.step?.(machine, name, 'failed', (e as Error).message);
    throw e instanceof StepError ? e : new StepError(name, e);
  }
}

async function openSession(machine: Machine, ctx: DeployContext): Promise<SshSession> {
  return step(ctx, machine.name, 'connect', () =>
    SshSession.open(machine, { pinnedHostKeys: ctx.pinnedHostKeys, confirmHostKey: ctx.confirmHostKey, signal: ctx.signal, sshBinary: ctx.sshBinary, log: (l) => ctx.listener?.log?.(machine.name, l) }),
  );
}

async function probeBasics(session: SshSession, unit: string): Promise<HostBasics> {
  return basicsFrom(session, parseProbe((await session.run(basicsProbeCommand(unit), 'probe')).stdout));
}

function basicsFrom(session: SshSession, s: Map<string, string>): HostBasics {
  const uid = Number(s.get('uid'));
  if (!Number.isInteger(uid)) throw new Error(`${session.machine.name}: unexpected answer to id -u: ${JSON.stringify(s.get('uid'))}`);
  return { uid, hasSystemctl: !!s.get('systemctl'), unitFiles: splitSystemctlCat(s.get('unit') ?? ''), dockerdOnPath: s.get('dockerd') || undefined };
}

function message(e: unknown): string {
  const inner = e instanceof StepError ? e.cause : e;
  return (inner as Error)?.message ?? String(inner);
}

/**
 * Deploys `files` to one machine: connect, look, plan (shown), upload the
 * changed files under temp names, install (backup, checksum, rename),
 * restart, verify the daemon reports the commit built — and on a failed
 * restart or verify, roll back to what ran before and say so. Before
 * install, a failure leaves the machine as it was (temp files removed).
 */
export async function deployToMachine(machine: Machine, files: DeployFileSet | Promise<DeployFileSet>, options: DeployOptions, ctx: DeployContext): Promise<DeployResult> {
  const started = Date.now();
  const now = ctx.now ?? (() => new Date());
  let bytesSent = 0;
  let plan: DeployPlan | undefined;
  let installed = false;
  let session: SshSession | undefined;
  const result = (r: Omit<DeployResult, 'machine' | 'durationMs' | 'bytesSent' | 'plan'>): DeployResult => ({ machine: machine.name, durationMs: Date.now() - started, bytesSent, plan, ...r });
  // Hashing the files here and connecting there overlap.
  const pending = Promise.resolve(files);
  pending.catch(() => undefined);
  try {
    session = await openSession(machine, ctx);
    const s = session;
    const fileSet = await pending;
    const unit = options.unit ?? DEFAULTS.unit;
    const dropInDir = options.dropInDir ?? DEFAULTS.dropInDir;
    const stateDir = options.remoteStateDir ?? DEFAULTS.remoteStateDir;
    const probe = new DaemonProbe(s, options.daemonHost ?? machine.daemonHost ?? DEFAULTS.daemonHost, machine.engine?.tls);
    const { basics, hostFiles, running } = await step(ctx, machine.name, 'probe', async () => {
      const names = fileSet.files.map((f) => f.name);
      // The daemon is asked while the files are looked at.
      const running = probe.version(3000).catch(() => undefined);
      let basics: HostBasics;
      let filesOut: string;
      if (options.dest) {
        const out = parseProbe((await s.run(fullProbeCommand(unit, normalizeDest(options.dest), fileSet.files, dropInDir, stateDir), 'probe')).stdout);
        basics = basicsFrom(s, out);
        filesOut = ['installed', 'dropins', 'backups'].map((k) => `@@${k}\n${out.get(k) ?? ''}`).join('\n');
      } else {
        basics = await probeBasics(s, unit);
        filesOut = (await s.run(filesProbeCommand(chooseDest(options, basics), fileSet.files, dropInDir, stateDir), 'probe')).stdout;
      }
      return { basics, hostFiles: parseHostFiles(filesOut, names), running: await running };
    }, (r) => (r.running ? `the daemon runs ${r.running.version} (${r.running.commit || 'no commit'})` : 'the daemon does not answer now'));
    plan = await step(ctx, machine.name, 'plan', async () => planDeploy({ machine: machine.name, machineDaemonHost: machine.daemonHost, files: fileSet.files, options, basics, hostFiles, running, id: deployId(now(), randomBytes(2).toString('hex')), now: now() }));
    const p = plan;
    ctx.listener?.plan?.(machine.name, p);
    if (ctx.dryRun) return result({ ok: true, upToDate: p.upToDate, daemon: running });
    if (p.upToDate) {
      ctx.listener?.log?.(machine.name, `up to date: every file is already there and the daemon runs ${running?.commit ?? 'it'}`);
      return result({ ok: true, upToDate: true, daemon: running });
    }
    if (ctx.confirmPlan && !(await ctx.confirmPlan(p))) throw new StepError('plan', new CancelledError(`${machine.name}: the deploy`));
    const changed = p.files.filter((f) => !f.unchanged);
    await step(ctx, machine.name, 'upload', async () => {
      try {
        const archive = uploadArchive(changed.map((f) => ({ source: f.source, name: archiveName(f), size: f.size })), (e, sent) => {
          const f = changed.find((c) => archiveName(c) === e.name)!;
          ctx.listener?.bytes?.(machine.name, f.name, sent, f.size);
        });
        await s.run(uploadCommand(p), 'upload', { input: archive, signal: ctx.signal });
        bytesSent = changed.reduce((n, f) => n + f.size, 0);
      } catch (e) {
        // The old binaries were never touched; only our temp files may be there.
        await s.exec(cleanupCommand(p), 'cleanup').catch(() => undefined);
        const space = await freeSpaceNote(s, p.dest, changed.reduce((n, f) => n + f.size, 0));
        throw space && !(e instanceof CancelledError) ? new Error(`${(e as Error).message}\n${space}`) : e;
      }
    }, () => `${changed.length} file(s), ${bytesSent} bytes${p.files.length > changed.length ? `; ${p.files.length - changed.length} already there` : ''}`);
    const manifest = manifestOf(p, running, now());
    await step(ctx, machine.name, 'install', async () => {
      try {
        await s.run(installCommand(p), 'install', { input: JSON.stringify(manifest, null, 2) + '\n', signal: ctx.signal });
      } catch (e) {
        // Some files may have been renamed already: put back what the
        // backup holds (no restart: the running daemon was not touched).
        const undo = await readManifest(s, p.backupDir, p.sudo)
          .then((m) => s.run(restoreCommand(m, p.backupDir, p.sudo), 'cleanup'))
          .then(() => s.run(removeBackupCommand(p.backupDir, p.sudo), 'cleanup'))
          .then(() => 'the files were put back as they were')
          .catch((ue: Error) => `putting the files back failed too: ${ue.message}`);
        await s.exec(cleanupCommand(p), 'cleanup').catch(() => undefined);
        throw new StepError('install', new Error(`${message(e)}\n${undo}`));
      }
      installed = true;
    }, () => `into ${p.dest}; the previous files are kept in ${p.backupDir}`);
    const daemon = await restartAndVerify(s, probe, p.restart, p.sudo, p.verifyTimeoutSec, p.expectCommit, machine.name, ctx);
    await ctx.records.put(recordOf(machine.name, p, options, fileSet, 'deployed', now()));
    const prune = pruneCommand(p);
    if (prune) await s.exec(prune, 'cleanup').catch(() => undefined);
    return result({ ok: true, daemon });
  } catch (e) {
    const failedStep = e instanceof StepError ? e.step : undefined;
    if (installed && plan && session) {
      const rolled = await rollbackAfterFailure(session, plan, machine, ctx).catch((re: Error) => ({ error: re.message }));
      const why = message(e);
      if ('error' in rolled) return result({ ok: false, failedStep, error: `${why}\nThe automatic rollback failed too: ${rolled.error}`, rolledBack: false });
      return result({ ok: false, failedStep, error: `${why}\nRolled back: the previous binaries are in place again and the daemon answers (${rolled.daemon.version}, ${rolled.daemon.commit || 'no commit'}).`, rolledBack: true, daemon: rolled.daemon });
    }
    return result({ ok: false, failedStep, error: message(e) });
  } finally {
    await session?.close();
  }
}

/** Says so when the destination's file system lacks room for the upload (tar's own words do not). */
async function freeSpaceNote(s: SshSession, dest: string, needed: number): Promise<string | undefined> {
  const r = await s.exec(freeSpaceCommand(dest), 'upload').catch(() => undefined);
  const kib = Number(r?.stdout.trim().split('\n').at(-1)?.trim().split(/\s+/)[3]);
  if (!Number.isFinite(kib) || kib * 1024 >= needed) return undefined;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `No space left on the machine: the file system holding ${dest} has ${mib(kib * 1024)} free, the upload needs ${mib(needed)}. Nothing was replaced.`;
}

async function restartAndVerify(s: SshSession, probe: DaemonProbe, restart: DeployPlan['restart'], sudo: boolean, verifyTimeoutSec: number, expectCommit: string | undefined, machine: string, ctx: DeployContext): Promise<DaemonVersion> {
  await step(ctx, machine, 'restart', () => s.run(restartCommand(restart, sudo), 'restart', { signal: ctx.signal }), () => restart.description);
  return step(ctx, machine, 'verify', async () => {
    const v = await probe.waitForVersion(verifyTimeoutSec, ctx.signal);
    if (expectCommit && !sameCommit(v.commit, expectCommit)) {
      throw new Error(`the daemon came back with commit ${v.commit || '(none)'} (${v.version}), not ${expectCommit}, the commit of the dockerd deployed`);
    }
    return v;
  }, (v) => `the daemon answers: ${v.version}, commit ${v.commit || '(none)'}${expectCommit ? ' — the one built' : ''}`);
}

async function rollbackAfterFailure(s: SshSession, plan: DeployPlan, machine: Machine, ctx: DeployContext): Promise<{ daemon: DaemonVersion }> {
  const cancelled = ctx.signal?.aborted;
  ctx.listener?.log?.(machine.name, cancelled ? 'rolling back: the deploy was cancelled after the files were installed' : 'rolling back: the deployed daemon did not come up as built');
  const manifest = await readManifest(s, plan.backupDir, plan.sudo);
  // The rollback itself is not cancelled: it is what brings the machine back.
  return restoreFrom(s, manifest, plan.backupDir, plan.sudo, machine, { ...ctx, signal: undefined });
}

async function readManifest(s: SshSession, backupDir: string, sudo: boolean): Promise<DeployManifest> {
  const r = await s.run(readManifestCommand(backupDir, sudo), 'rollback');
  try {
    return JSON.parse(r.stdout) as DeployManifest;
  } catch (e) {
    throw new Error(`${s.machine.name}: ${backupDir}/manifest.json cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

async function restoreFrom(s: SshSession, manifest: DeployManifest, backupDir: string, sudo: boolean, machine: Machine, ctx: DeployContext): Promise<{ daemon: DaemonVersion }> {
  const probe = new DaemonProbe(s, manifest.daemonHost, machine.engine?.tls);
  await step(ctx, machine.name, 'rollback', () => s.run(restoreCommand(manifest, backupDir, sudo), 'rollback'), () => `restored ${manifest.files.filter((f) => f.existed).length} file(s), removed ${manifest.files.filter((f) => !f.existed).length + (manifest.dropIn && !manifest.dropIn.existed ? 1 : 0)}`);
  const daemon = await restartAndVerify(s, probe, manifest.restart, sudo, DEFAULTS.verifyTimeoutSec, manifest.previous?.commit || undefined, machine.name, ctx);
  await s.run(removeBackupCommand(backupDir, sudo), 'rollback');
  return { daemon };
}

export interface RollbackResult {
  readonly machine: string;
  readonly ok: boolean;
  readonly daemon?: DaemonVersion;
  readonly restoredId?: string;
  readonly error?: string;
}

/**
 * Undoes the last deploy to a machine: what it replaced is put back, what it
 * added removed (our drop-in too), the daemon restarted and checked against
 * what ran before. Uses what that deploy used (remembered per machine).
 */
export async function rollbackMachine(machine: Machine, ctx: DeployContext, remoteStateDir?: string): Promise<RollbackResult> {
  let session: SshSession | undefined;
  try {
    const record = await ctx.records.get(machine.name);
    const stateDirOnHost = remoteStateDir ?? record?.remoteStateDir ?? DEFAULTS.remoteStateDir;
    session = await openSession(machine, ctx);
    const s = session;
    const basics = await step(ctx, machine.name, 'probe', () => probeBasics(s, record?.unit ?? DEFAULTS.unit));
    const sudo = basics.uid !== 0;
    const backups = parseHostFiles((await s.run(backupsProbeCommand(stateDirOnHost), 'probe')).stdout, []).backups;
    const id = backups.at(-1);
    if (!id) throw new Error(`${machine.name}: no backup in ${stateDirOnHost}/backups to roll back to${record ? '' : ' (and no deploy to it is remembered here)'}`);
    const backupDir = `${stateDirOnHost}/backups/${id}`;
    const manifest = await readManifest(s, backupDir, sudo);
    const { daemon } = await restoreFrom(s, manifest, backupDir, sudo, machine, ctx);
    if (record && record.id === id) await ctx.records.put({ ...record, state: 'rolled-back', at: (ctx.now?.() ?? new Date()).toISOString() });
    return { machine: machine.name, ok: true, daemon, restoredId: id };
  } catch (e) {
    return { machine: machine.name, ok: false, error: message(e) };
  } finally {
    await session?.close();
  }
}

function recordOf(machine: string, p: DeployPlan, options: DeployOptions, fileSet: DeployFileSet, state: DeployRecord['state'], at: Date): DeployRecord {
  return {
    machine,
    id: p.id,
    at: at.toISOString(),
    mode: p.mode,
    dest: p.dest,
    restart: options.restart,
    daemonHost: p.daemonHost,
    unit: options.unit,
    dropInDir: options.dropInDir,
    remoteStateDir: p.stateDir,
    commit: p.expectCommit,
    files: p.files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
    origin: fileSet.origin,
    state,
  };
}

/** Several machines at once: each on its own, one failure never stops the others. */
export async function deployToMachines(machines: readonly Machine[], fileSet: DeployFileSet | Promise<DeployFileSet>, options: DeployOptions | ((machine: Machine) => DeployOptions), ctx: DeployContext): Promise<DeployResult[]> {
  return Promise.all(machines.map((m) => deployToMachine(m, fileSet, typeof options === 'function' ? options(m) : options, ctx)));
}
