import type { Machine } from '../machines/machine';
import type { ConfirmHostKey, PinnedHostKeys } from '../ssh/hostKeys';
import { SshSession } from '../ssh/sshSession';
import { remoteShCommand, shellScript } from '../util/remoteShell';
import { DaemonProbe } from './daemonProbe';
import { DaemonVersion, DEFAULTS } from './deployPlan';
import type { DeployRecords } from './deployRecords';

export interface RestartResult {
  readonly machine: string;
  readonly ok: boolean;
  /** `systemctl restart docker.service` or the custom command run. */
  readonly description: string;
  /** What the daemon reports once it answers again. */
  readonly daemon?: DaemonVersion;
  readonly error?: string;
}

/**
 * Restarts a machine's daemon and waits until it answers: the custom restart
 * command given (or the one the last deploy to it used, for hosts without
 * systemd), else `systemctl restart UNIT` under `timeout` (Docker's unit has
 * TimeoutStartSec=0); `sudo -n` when the SSH user is not root.
 */
export async function restartDaemon(
  machine: Machine,
  ctx: { pinnedHostKeys: PinnedHostKeys; confirmHostKey?: ConfirmHostKey; records: DeployRecords; signal?: AbortSignal; sshBinary?: string; log?: (line: string) => void },
  options: { restart?: string; daemonHost?: string; unit?: string; timeoutSec?: number } = {},
): Promise<RestartResult> {
  const record = await ctx.records.get(machine.name).catch(() => undefined);
  const restart = options.restart ?? record?.restart;
  const unit = options.unit ?? record?.unit ?? DEFAULTS.unit;
  const timeout = String(options.timeoutSec ?? DEFAULTS.restartTimeoutSec);
  const description = restart ?? `systemctl restart ${unit}`;
  let session: SshSession | undefined;
  try {
    session = await SshSession.open(machine, { pinnedHostKeys: ctx.pinnedHostKeys, confirmHostKey: ctx.confirmHostKey, signal: ctx.signal, sshBinary: ctx.sshBinary, log: ctx.log });
    const uid = Number((await session.run(remoteShCommand('id -u'), 'restart')).stdout.trim());
    const script = restart ? shellScript([['timeout', timeout, 'sh', '-c', restart]]) : shellScript([['systemctl', 'daemon-reload'], ['timeout', timeout, 'systemctl', 'restart', unit]]);
    await session.run(remoteShCommand(script, uid !== 0), 'restart', { signal: ctx.signal });
    const daemonHost = options.daemonHost ?? record?.daemonHost ?? machine.daemonHost ?? DEFAULTS.daemonHost;
    const daemon = await new DaemonProbe(session, daemonHost, machine.engine?.tls).waitForVersion(DEFAULTS.verifyTimeoutSec, ctx.signal);
    return { machine: machine.name, ok: true, description, daemon };
  } catch (e) {
    return { machine: machine.name, ok: false, description, error: (e as Error).message };
  } finally {
    await session?.close();
  }
}
