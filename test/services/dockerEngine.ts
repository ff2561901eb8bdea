import Docker from 'dockerode';
import * as fs from 'fs';
import * as path from 'path';
import { Daemon, startDaemon, waitUntil } from './processes';

/** A private Docker engine: own data root, exec root and unix socket, no bridge, no iptables. */
export interface DockerEngine {
  readonly socketPath: string;
  /** `unix://…`, for DOCKER_HOST. */
  readonly host: string;
  readonly dataRoot: string;
  readonly client: Docker;
  /** `tcp://127.0.0.1:PORT` with mutual TLS, when started with `tls`. */
  readonly tlsHost?: string;
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

export const dockerSocketPath = (root: string) => path.join(root, 'docker.sock');

/** `dataRoot` defaults to a dir under `root`; pass one to keep images between runs. */
export async function startDockerEngine(
  root: string,
  dockerd: string,
  dataRoot = path.join(root, 'data'),
  tls?: { port: number; ca: string; cert: string; key: string },
): Promise<DockerEngine> {
  const execRoot = path.join(root, 'exec');
  const socketPath = dockerSocketPath(root);
  const configFile = path.join(root, 'daemon.json');
  fs.mkdirSync(dataRoot, { recursive: true });
  fs.mkdirSync(execRoot, { recursive: true });
  // An empty config, so the host's /etc/docker/daemon.json cannot change this engine.
  fs.writeFileSync(configFile, '{}\n');
  const daemon = startDaemon(
    'dockerd',
    dockerd,
    [
      '--config-file', configFile,
      '--data-root', dataRoot,
      '--exec-root', execRoot,
      '--pidfile', path.join(root, 'docker.pid'),
      '-H', `unix://${socketPath}`,
      // No docker0 bridge and no iptables rules: nothing of this engine
      // touches the host's network or a Docker the user already runs.
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--ip-forward=false',
      // Also a mutual-TLS TCP endpoint on loopback, like a docker-machine host.
      ...(tls ? ['-H', `tcp://127.0.0.1:${tls.port}`, '--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.cert, '--tlskey', tls.key] : []),
    ],
    path.join(root, 'dockerd.log'),
  );
  const client = new Docker({ socketPath });
  try {
    await waitUntil('its API answered on ' + socketPath, async () => String(await client.ping()) === 'OK', daemon, 90_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return {
    socketPath,
    host: `unix://${socketPath}`,
    dataRoot,
    client,
    tlsHost: tls ? `tcp://127.0.0.1:${tls.port}` : undefined,
    daemon,
    async stop() {
      // dockerd stops its containers and its managed containerd on SIGTERM.
      await daemon.stop(30_000);
    },
  };
}
