import type { Machine } from '../machines/machine';
import type { ConfirmHostKey, PinnedHostKeys } from '../ssh/hostKeys';
import { SshSession } from '../ssh/sshSession';
import { DaemonProbe } from './daemonProbe';
import { sameCommit } from './deployFiles';
import { backupsProbeCommand, DaemonVersion, DEFAULTS, parseHostFiles } from './deployPlan';
import type { DeployRecord, DeployRecords } from './deployRecords';

export interface MachineStatus {
  readonly machine: string;
  readonly reachable: boolean;
  /** Why it could not be reached (names the machine and ssh's reason). */
  readonly error?: string;
  readonly daemon?: DaemonVersion;
  /** Why the daemon did not answer, when the machine did. */
  readonly daemonError?: string;
  readonly daemonHost: string;
  /** What we deployed there last, as remembered here. */
  readonly lastDeploy?: DeployRecord;
  /** Backup ids kept on the machine, oldest first. */
  readonly backups: readonly string[];
  /** The daemon runs the commit of our last deploy. */
  readonly runsLastDeploy?: boolean;
}

/** A machine's status, asked on demand (never polled): reachable, its daemon, our last deploy, the backups kept. */
export async function machineStatus(
  machine: Machine,
  ctx: { pinnedHostKeys: PinnedHostKeys; confirmHostKey?: ConfirmHostKey; records: DeployRecords; signal?: AbortSignal; daemonHost?: string; sshBinary?: string },
): Promise<MachineStatus> {
  const lastDeploy = await ctx.records.get(machine.name);
  const daemonHost = ctx.daemonHost ?? lastDeploy?.daemonHost ?? machine.daemonHost ?? DEFAULTS.daemonHost;
  let session: SshSession;
  try {
    session = await SshSession.open(machine, { pinnedHostKeys: ctx.pinnedHostKeys, confirmHostKey: ctx.confirmHostKey, signal: ctx.signal, sshBinary: ctx.sshBinary });
  } catch (e) {
    return { machine: machine.name, reachable: false, error: (e as Error).message, daemonHost, lastDeploy, backups: [] };
  }
  try {
    const stateDir = lastDeploy?.remoteStateDir ?? DEFAULTS.remoteStateDir;
    const [files, daemon] = await Promise.all([
      session.exec(backupsProbeCommand(stateDir), 'status'),
      new DaemonProbe(session, daemonHost, machine.engine?.tls).version(5000).then(
        (v) => ({ v }),
        (e: Error) => ({ e: e.message }),
      ),
    ]);
    const backups = parseHostFiles(files.stdout, []).backups;
    const v = 'v' in daemon ? daemon.v : undefined;
    const runsLastDeploy = v && lastDeploy?.commit && lastDeploy.state === 'deployed' ? sameCommit(v.commit, lastDeploy.commit) : undefined;
    return { machine: machine.name, reachable: true, daemon: v, daemonError: 'e' in daemon ? daemon.e : undefined, daemonHost, lastDeploy, backups, runsLastDeploy };
  } finally {
    await session.close();
  }
}
