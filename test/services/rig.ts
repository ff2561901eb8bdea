import * as path from 'path';
import { BASE_IMAGE, ensureBaseImageTarball, importBaseImage } from './baseImage';
import { dockerSocketPath, DockerEngine, startDockerEngine } from './dockerEngine';
import { GitDaemon, startGitDaemon } from './gitDaemon';
import { requireTools, TOOLS } from './preflight';
import { SshServer, startSshServer } from './sshServer';
import { makeRigDir, removeRigDir } from './tempRoot';
import { makeTlsMaterial, TlsMaterial } from './tlsMaterial';
import { stopOnSignal } from './processes';

/** The real services the integration tests run against, all under one temp dir, on loopback. */
export interface Rig {
  readonly root: string;
  readonly docker: DockerEngine;
  /** Name of the locally made builder base image, present in `docker`. */
  readonly baseImage: string;
  readonly ssh: SshServer;
  readonly git: GitDaemon;
  /** Client certificates (DOCKER_CERT_PATH) for `docker.tlsHost`. */
  readonly tls: TlsMaterial;
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[rig] ${line}\n`);

/** Needs root: dockerd cannot run otherwise. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('The test rig starts a private Docker engine (dockerd), which needs root: run the tests as root, for example with sudo -E npm test.');
  }
}

/**
 * Starts the Docker engine, sshd and git daemon, and loads the base image.
 * On any failure it stops what it had started before rethrowing.
 */
export async function startRig(): Promise<Rig> {
  const tools = requireTools([TOOLS.dockerd, TOOLS.containerd, TOOLS.unshare, TOOLS.mount, TOOLS.ip, TOOLS.sshd, TOOLS.sshKeygen, TOOLS.ssh, TOOLS.git, TOOLS.debootstrap, TOOLS.tar, TOOLS.openssl]);
  requireRoot();
  const root = makeRigDir('services');
  const started: Array<{ stop(): Promise<void> }> = [];
  let stopping: Promise<void> | undefined;
  const stopOnce = () => (stopping ??= stopAll(root, started));
  // A signal mid-run (npm test stopped, or mocha killed) stops the rig too.
  const unregister = stopOnSignal(stopOnce);
  const track = <T extends { stop(): Promise<void> }>(p: Promise<T>) => p.then((s) => (started.push(s), s));
  const t0 = Date.now();
  try {
    const tls = await makeTlsMaterial(path.join(root, 'tls'), tools.openssl);
    const [docker, ssh, git, tarball] = await Promise.all([
      track(startDockerEngine(root, tools.dockerd, undefined, { ca: tls.ca, cert: tls.serverCert, key: tls.serverKey })),
      // Sessions on the SSH host reach the rig's engine, so ssh:// engine URLs work.
      track(startSshServer(root, { sshd: tools.sshd, sshKeygen: tools['ssh-keygen'], ssh: tools.ssh, unshare: tools.unshare, mount: tools.mount }, { DOCKER_HOST: `unix://${dockerSocketPath(root)}` })),
      track(startGitDaemon(root, tools.git)),
      ensureBaseImageTarball(tools.debootstrap, log),
    ]);
    await importBaseImage(docker.client, tarball);
    log(`started in ${((Date.now() - t0) / 1000).toFixed(1)}s under ${root}: dockerd ${docker.host} and ${docker.tlsHost} (own network namespace), sshd 127.0.0.1:${ssh.port}, git daemon 127.0.0.1:${git.port}`);
    return {
      root,
      docker,
      baseImage: BASE_IMAGE,
      ssh,
      git,
      tls,
      stop: () => (unregister(), stopOnce()),
    };
  } catch (e) {
    unregister();
    await stopOnce();
    throw e;
  }
}

async function stopAll(root: string, services: Array<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.allSettled(services.map((s) => s.stop()));
  removeRigDir(root);
  log(`stopped; removed ${root}`);
}
