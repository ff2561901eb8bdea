import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** The name known_hosts uses for a host and port: `host`, or `[host]:port` off 22. */
export function knownHostsName(host: string, port?: number): string {
  return port && port !== 22 ? `[${host}]:${port}` : host;
}

export interface ScannedHostKey {
  /** The known_hosts line, `[host]:port ssh-ed25519 AAAA…`. */
  readonly line: string;
  /** `SHA256:…`, as ssh prints it. */
  readonly fingerprint: string;
  /** `ED25519`, `ECDSA`, `RSA`. */
  readonly type: string;
}

/** Asked before a key is pinned for the first time; false refuses the connection. */
export type ConfirmHostKey = (request: { machine: string; host: string; keys: readonly ScannedHostKey[]; file: string }) => Promise<boolean>;

/**
 * known_hosts entries of our own, for machines whose tools never check host
 * keys (docker-machine and Vagrant pass StrictHostKeyChecking=no): a key is
 * pinned the first time, after its fingerprint was shown and accepted, and
 * from then on ssh refuses any other key for that host and port.
 */
export class PinnedHostKeys {
  constructor(readonly file: string, private readonly tools = { sshKeygen: 'ssh-keygen', sshKeyscan: 'ssh-keyscan' }) {}

  /** Whether a key is pinned for host:port. */
  async isPinned(host: string, port?: number): Promise<boolean> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return false;
    }
    // Our own entries are written unhashed: found without running ssh-keygen.
    const name = knownHostsName(host, port);
    if (text.split('\n').some((l) => l.split(/\s+/)[0].split(',').includes(name))) return true;
    if (!text.includes('|1|')) return false;
    try {
      await run(this.tools.sshKeygen, ['-F', knownHostsName(host, port), '-f', this.file]);
      return true;
    } catch {
      return false;
    }
  }

  /** The host's keys as it offers them now (unauthenticated: only ever pinned after confirmation). */
  async scan(host: string, port: number | undefined, timeoutSec = 10): Promise<ScannedHostKey[]> {
    let stdout: string;
    try {
      ({ stdout } = await run(this.tools.sshKeyscan, ['-T', String(timeoutSec), ...(port ? ['-p', String(port)] : []), '--', host], { timeout: (timeoutSec + 5) * 1000 }));
    } catch (e) {
      throw new Error(`cannot read the host key of ${knownHostsName(host, port)}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, { cause: e });
    }
    const lines = stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    if (lines.length === 0) throw new Error(`${knownHostsName(host, port)} offered no host key (is sshd listening there?)`);
    const keys: ScannedHostKey[] = [];
    for (const line of lines) {
      const { stdout: fp } = await runWithInput(this.tools.sshKeygen, ['-l', '-E', 'sha256', '-f', '-'], line + '\n');
      // `256 SHA256:abc… [127.0.0.1]:2222 (ED25519)`
      const m = /^\d+\s+(SHA256:\S+)\s+.*\((\w+)\)\s*$/.exec(fp.trim());
      keys.push({ line, fingerprint: m?.[1] ?? fp.trim(), type: m?.[2] ?? line.split(' ')[1] });
    }
    return keys;
  }

  async pin(keys: readonly ScannedHostKey[]): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await fs.appendFile(this.file, keys.map((k) => k.line + '\n').join(''), { mode: 0o600 });
  }
}

function runWithInput(file: string, args: string[], input: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : resolve({ stdout })));
    child.stdin?.end(input);
  });
}
