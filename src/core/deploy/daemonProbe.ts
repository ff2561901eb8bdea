import * as http from 'http';
import * as https from 'https';
import { promises as fs } from 'fs';
import type { MachineEngine } from '../machines/machine';
import type { SshSession } from '../ssh/sshSession';
import type { DaemonVersion } from './deployPlan';

/** Where a daemon host URL points, as the machine sees it. */
export function daemonTarget(daemonHost: string): { socket: string } | { host: string; port: number } {
  const url = new URL(daemonHost);
  if (url.protocol === 'unix:') return { socket: decodeURIComponent(url.pathname) };
  if (url.protocol === 'tcp:' || url.protocol === 'https:' || url.protocol === 'http:') {
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'http:' ? 2375 : 2376)) };
  }
  throw new Error(`cannot reach a daemon at ${daemonHost}: give a unix:// or tcp:// address`);
}

/**
 * Asks the daemon on the machine for /version, through the SSH connection
 * (a forwarded unix socket): nothing is needed on the machine but sshd. A
 * TLS daemon (docker-machine's port 2376) is asked with the machine's client
 * certificates.
 */
export class DaemonProbe {
  private local: string | undefined;

  constructor(private readonly session: SshSession, readonly daemonHost: string, private readonly tls?: MachineEngine['tls']) {}

  /** The daemon's version, or the reason it did not answer. */
  async version(timeoutMs = 5000): Promise<DaemonVersion> {
    this.local ??= await this.session.forward(daemonTarget(this.daemonHost), 'reach the daemon');
    const useTls = this.tls && !this.daemonHost.startsWith('unix:');
    const body = await get(this.local, '/version', timeoutMs, useTls ? await readTls(this.tls!) : undefined);
    const v = JSON.parse(body) as { Version?: string; GitCommit?: string; ApiVersion?: string };
    return { version: v.Version ?? '?', commit: v.GitCommit ?? '', apiVersion: v.ApiVersion };
  }

  /** Polls until the daemon answers (or the time is up), then its version; the last error otherwise. */
  async waitForVersion(timeoutSec: number, signal?: AbortSignal): Promise<DaemonVersion> {
    const deadline = Date.now() + timeoutSec * 1000;
    let last: Error | undefined;
    while (Date.now() < deadline) {
      if (signal?.aborted) throw new Error('cancelled while waiting for the daemon');
      try {
        return await this.version(Math.min(5000, Math.max(500, deadline - Date.now())));
      } catch (e) {
        last = e as Error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the daemon did not answer at ${this.daemonHost} within ${timeoutSec} s (${last?.message ?? 'no answer'})`);
  }
}

async function readTls(tls: NonNullable<MachineEngine['tls']>): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const [ca, cert, key] = await Promise.all([fs.readFile(tls.ca), fs.readFile(tls.cert), fs.readFile(tls.key)]);
  return { ca, cert, key };
}

function get(socketPath: string, path: string, timeoutMs: number, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { socketPath, path, method: 'GET', timeout: timeoutMs, headers: { Host: 'docker' } };
    // The certificate names the machine, not the forwarded socket: the CA is checked, the name is not.
    const req = tls ? https.request({ ...options, ...tls, servername: undefined, checkServerIdentity: () => undefined }) : http.request(options);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode} from ${path}`))));
      res.on('error', reject);
    });
    req.end();
  });
}
