import * as fs from 'fs';
import * as path from 'path';
import { NAMESPACE_ENTRY } from './dockerEngine';
import { requireTools, TOOLS } from './preflight';
import { SshServer, startSshServer } from './sshServer';
import { SAMPLES } from '../unit/paths';

/**
 * A deploy target: its own OpenSSH sshd on loopback, and a "host" folder
 * standing in for the machine's file system: `bin/` where the daemon's
 * binaries live (the --dest), `state/` (the remote state dir), and a real
 * dockerd run from `bin/dockerd` with its own data root, exec root, socket
 * and namespaces. `restartCommand` is what `systemctl restart docker` is on
 * a real host: it stops the running dockerd (pid file) and starts the one in
 * `bin/` again, detached from the SSH session.
 */
export interface DeployTarget {
  readonly name: string;
  readonly ssh: SshServer;
  readonly root: string;
  readonly binDir: string;
  readonly stateDir: string;
  readonly socketPath: string;
  /** `unix://…` as the target sees it (the same path here). */
  readonly daemonHost: string;
  readonly restartCommand: string;
  /** The pid the running dockerd wrote, if one runs. */
  daemonPid(): number | undefined;
  /** Starts dockerd from bin/ and waits for its socket (the state before a deploy). */
  startDaemon(): Promise<void>;
  stop(): Promise<void>;
}

export interface DeployTargetOptions {
  /** Where the daemon's binaries are; default host/bin. */
  readonly binDir?: string;
  /**
   * A test stand-in for systemd, named as such: a `systemctl` first on the
   * SSH session's PATH that answers `cat` from unit files under host/ (moby's
   * docker.service and the 10-machine.conf docker-machine writes), records
   * every call in host/systemctl.log, and on `restart` starts the dockerd its
   * effective ExecStart names (paths taken under host/).
   */
  readonly systemdStandIn?: boolean;
  /** bin/ is a 16 MiB tmpfs as the machine's sessions see it (a full disk). */
  readonly smallDisk?: boolean;
}

export async function startDeployTarget(root: string, name: string, options: DeployTargetOptions = {}): Promise<DeployTarget> {
  const binDir = options.binDir ?? path.join(root, name, 'host', 'bin');
  const tools = requireTools([TOOLS.sshd, TOOLS.sshKeygen, TOOLS.ssh, TOOLS.unshare, TOOLS.mount, TOOLS.ip, TOOLS.dockerd, TOOLS.containerd]);
  const dir = path.join(root, name);
  const host = path.join(dir, 'host');
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(path.join(host, 'state'), { recursive: true });
  const env: Record<string, string> = {};
  if (options.systemdStandIn) env.PATH = `${writeSystemdStandIn(host)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  const ssh = await startSshServer(dir, { sshd: tools.sshd, sshKeygen: tools['ssh-keygen'], ssh: tools.ssh, unshare: tools.unshare, mount: tools.mount }, env, options.smallDisk ? binDir : undefined);
  const socketPath = path.join(host, 'docker.sock');
  const pidFile = path.join(host, 'docker.pid');
  fs.writeFileSync(path.join(host, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': path.join(host, 'data', 'key.json') }) + '\n');
  const script = path.join(host, 'restart-dockerd');
  // A test stand-in for `systemctl restart docker`, named as such.
  fs.writeFileSync(
    script,
    [
      '#!/bin/sh',
      '# Test stand-in for systemctl restart docker: stop the dockerd of this target, start bin/dockerd.',
      'set -e',
      `host=${shq(host)}`,
      `bin=\${DFW_TARGET_BIN:-${shq(binDir)}}`,
      'if [ -f "$host/docker.pid" ]; then',
      '  pid=$(cat "$host/docker.pid")',
      '  kill "$pid" 2>/dev/null || true',
      '  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done',
      '  rm -f "$host/docker.pid"',
      'fi',
      `setsid ${tools.unshare} --net --mount --propagation private -- sh -c ${shq(NAMESPACE_ENTRY)} dfw-target-ns ${tools.mount} ${tools.ip} \\`,
      '  "$bin/dockerd" --config-file "$host/daemon.json" --data-root "$host/data" --exec-root "$host/exec" --pidfile "$host/docker.pid" \\',
      '  -H "unix://$host/docker.sock" --bridge=none --iptables=false --ip-masq=false --ip-forward=false \\',
      '  >>"$host/dockerd.log" 2>&1 </dev/null &',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const daemonPid = () => {
    try {
      return Number(fs.readFileSync(pidFile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const stopDaemon = async () => {
    const pid = daemonPid();
    if (!pid) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 300; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  return {
    name,
    ssh,
    root: host,
    binDir,
    stateDir: path.join(host, 'state'),
    socketPath,
    daemonHost: `unix://${socketPath}`,
    restartCommand: script,
    daemonPid,
    async startDaemon() {
      const { execFileSync } = await import('child_process');
      execFileSync(script, { stdio: 'ignore' });
      for (let i = 0; i < 600; i++) {
        if (fs.existsSync(socketPath) && daemonPid()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name}: dockerd did not start:\n${fs.readFileSync(path.join(host, 'dockerd.log'), 'utf8').slice(-2000)}`);
    },
    async stop() {
      await stopDaemon();
      await ssh.stop();
    },
  };
}

/** docker-machine's 10-machine.conf for an Ubuntu host (libmachine/provision/ubuntu_systemd.go's template, rendered as it renders it). */
export const MACHINE_DROPIN = [
  '[Service]',
  'ExecStart=',
  'ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock --storage-driver overlay2 --tlsverify --tlscacert /etc/docker/ca.pem --tlscert /etc/docker/server.pem --tlskey /etc/docker/server-key.pem --label provider=generic ',
  'Environment=',
  '',
].join('\n');

function writeSystemdStandIn(host: string): string {
  const unitDir = path.join(host, 'lib/systemd/system');
  const dropInDir = path.join(host, 'etc/systemd/system/docker.service.d');
  fs.mkdirSync(unitDir, { recursive: true });
  fs.mkdirSync(dropInDir, { recursive: true });
  fs.copyFileSync(path.join(SAMPLES, 'moby-master-b985e231-contrib-init-systemd-docker.service'), path.join(unitDir, 'docker.service'));
  fs.writeFileSync(path.join(dropInDir, '10-machine.conf'), MACHINE_DROPIN);
  const bin = path.join(host, 'standin-bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'systemctl'),
    [
      '#!/bin/sh',
      '# TEST STAND-IN for systemctl (systemd cannot run here): answers from the unit files under this target\'s host/ folder.',
      `host=${shq(host)}`,
      'echo "$*" >> "$host/systemctl.log"',
      'files() { echo "$host/lib/systemd/system/docker.service"; ls -1 "$host/etc/systemd/system/docker.service.d/"*.conf 2>/dev/null | sort; }',
      'case "$1" in',
      '  cat) for f in $(files); do echo "# ${f#$host}"; cat "$f"; echo; done ;;',
      '  daemon-reload) ;;',
      '  restart)',
      '    exe=$(for f in $(files); do grep "^ExecStart=." "$f"; done | tail -n 1 | sed "s/^ExecStart=//; s/ .*//")',
      '    case "$exe" in "$host"/*) ;; *) exe="$host$exe" ;; esac',
      '    DFW_TARGET_BIN=$(dirname "$exe") exec "$host/restart-dockerd" ;;',
      '  *) echo "systemctl stand-in: $1 is not supported" >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return bin;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
