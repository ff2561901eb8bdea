import Docker from 'dockerode';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { requireTools, TOOLS } from './preflight';
import { Daemon, startDaemon, waitUntil } from './processes';

/**
 * A private Docker engine: own data root, exec root, unix socket and network
 * namespace. It shares nothing of the host's network with a Docker the user
 * runs: no interface, route or firewall rule of the host is created, changed
 * or removed by it, and nothing is written to /etc/docker.
 */
export interface DockerEngine {
  readonly socketPath: string;
  /** `unix://…`, for DOCKER_HOST. */
  readonly host: string;
  readonly dataRoot: string;
  readonly client: Docker;
  /** `tcp://127.0.0.1:PORT` with mutual TLS on the host's loopback, when started with `tls`. */
  readonly tlsHost?: string;
  /** The engine's network namespace, as /proc/PID/ns/net names it (`net:[…]`): never the host's. */
  readonly networkNamespace: string;
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

export const dockerSocketPath = (root: string) => path.join(root, 'docker.sock');

/** Certificates for the mutual-TLS endpoint; the engine picks a free loopback port itself. */
export interface EngineTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Inside the engine's own namespaces: an empty /run of its own (containerd
 * puts its shims' sockets in /run/containerd/s, BuildKit runc state in
 * /run/runc, dockerd /run/docker/plugins: paths no flag moves, and where the
 * user's Docker keeps its own), the loopback up, then dockerd. With a
 * listening socket passed as fd 3 (LISTEN_FDS), LISTEN_PID must name
 * dockerd's own pid, which only the process itself knows: unshare and sh
 * exec, so it is `$$`.
 */
export const NAMESPACE_ENTRY = [
  'mount="$1"; ip="$2"; shift 2',
  '"$mount" -t tmpfs -o mode=0755,nosuid,nodev dfw-engine-run /run || exit 1',
  '"$ip" link set lo up || exit 1',
  'if [ -n "$LISTEN_FDS" ]; then LISTEN_PID=$$; export LISTEN_PID; fi',
  'exec "$@"',
].join('\n');

/** `dataRoot` defaults to a dir under `root`; pass one to keep images between runs. */
export async function startDockerEngine(root: string, dockerd: string, dataRoot = path.join(root, 'data'), tls?: EngineTls): Promise<DockerEngine> {
  const tools = requireTools([TOOLS.unshare, TOOLS.mount, TOOLS.ip]);
  const execRoot = path.join(root, 'exec');
  const socketPath = dockerSocketPath(root);
  const configFile = path.join(root, 'daemon.json');
  fs.mkdirSync(dataRoot, { recursive: true });
  fs.mkdirSync(execRoot, { recursive: true });
  // The host's /etc/docker/daemon.json cannot change this engine, and the
  // engine's identity key stays with its data, not in /etc/docker/key.json
  // (dockerd 20.10's default; later versions keep it in the data root
  // themselves and ignore this key).
  fs.writeFileSync(configFile, JSON.stringify({ 'deprecated-key-path': path.join(dataRoot, 'key.json') }) + '\n');
  // The TLS endpoint must be reachable from the host, but dockerd lives in
  // another network namespace: it takes over a socket bound here, on the
  // host's loopback (systemd-style socket activation, `-H fd://`).
  const listener = tls ? await loopbackListener() : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  if (listener) env.LISTEN_FDS = '1';
  let daemon: Daemon;
  try {
    daemon = startDaemon(
      'dockerd',
      tools.unshare,
      [
        // A network namespace of its own holding only a loopback: whatever
        // dockerd does to interfaces, routes or iptables happens in there and
        // vanishes with its last process. (`--bridge=none` on the host's
        // namespace deletes an existing docker0, the user's Docker's bridge.)
        // A mount namespace of its own too: its container mounts and its /run
        // are invisible to the host and go with it, even when it is killed.
        '--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', NAMESPACE_ENTRY, 'dfw-engine-ns', tools.mount, tools.ip,
        dockerd,
        '--config-file', configFile,
        '--data-root', dataRoot,
        '--exec-root', execRoot,
        '--pidfile', path.join(root, 'docker.pid'),
        '-H', `unix://${socketPath}`,
        // No bridge, no iptables rules, no forwarding even inside its own
        // namespace: the tests' containers need no network.
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        // Also a mutual-TLS TCP endpoint, like a docker-machine host.
        ...(listener ? ['-H', 'fd://', '--tlsverify', '--tlscacert', tls!.ca, '--tlscert', tls!.cert, '--tlskey', tls!.key] : []),
      ],
      path.join(root, 'dockerd.log'),
      env,
      listener ? [listener.fd] : [],
    );
  } finally {
    // dockerd holds its own copy now; ours would compete for connections.
    listener?.close();
  }
  const client = new Docker({ socketPath });
  let networkNamespace: string;
  try {
    await waitUntil('its API answered on ' + socketPath, async () => String(await client.ping()) === 'OK', daemon, 90_000);
    networkNamespace = fs.readlinkSync(`/proc/${daemon.pid}/ns/net`);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return {
    socketPath,
    host: `unix://${socketPath}`,
    dataRoot,
    client,
    tlsHost: listener ? `tcp://127.0.0.1:${listener.port}` : undefined,
    networkNamespace,
    daemon,
    async stop() {
      // dockerd stops its containers and its managed containerd on SIGTERM;
      // the namespace goes with the last of them.
      await daemon.stop(30_000);
    },
  };
}

/** A TCP socket listening on 127.0.0.1 (a free port), whose fd a child can inherit. */
async function loopbackListener(): Promise<{ port: number; fd: number; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // Node exposes a listening socket's fd only on its handle (Unix).
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    server.close();
    throw new Error("Cannot pass a listening socket to dockerd: this Node.js does not expose the socket's file descriptor.");
  }
  return { port: (server.address() as net.AddressInfo).port, fd, close: () => server.close() };
}
