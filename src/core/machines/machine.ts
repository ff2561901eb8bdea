// A machine is a host we can reach over SSH to deploy a daemon to. The
// sources (docker-machine's store, Docker contexts, Vagrant, plain SSH hosts
// from settings) each resolve to this one shape; deploy and status read only
// this, never the source's own files.

export type MachineSource = 'docker-machine' | 'context' | 'vagrant' | 'ssh';

/** How to reach a machine with OpenSSH. */
export interface SshEndpoint {
  /** Host name or address to connect to; for `alias` endpoints, the alias itself. */
  readonly host: string;
  /** Undefined: let OpenSSH decide (ssh_config or 22). */
  readonly port?: number;
  /** Undefined: let OpenSSH decide (ssh_config or the local user). */
  readonly user?: string;
  /** Private key file; undefined: OpenSSH's own choice (agent, ssh_config, defaults). */
  readonly identityFile?: string;
  /**
   * `user`: the user's known_hosts and ssh_config decide (contexts, SSH hosts).
   * `pinned`: docker-machine and Vagrant do not check host keys at all, so the
   * key is pinned on first use in our own known_hosts file, after its
   * fingerprint has been shown; a changed key is refused.
   */
  readonly hostKeys: 'user' | 'pinned';
  /** Extra `-o Key=Value` options the source requires (e.g. Vagrant's). Never secrets. */
  readonly options?: Readonly<Record<string, string>>;
}

/** The machine's Docker engine as the workstation reaches it (docker-machine's TLS endpoint). */
export interface MachineEngine {
  /** `tcp://192.168.99.100:2376` */
  readonly host: string;
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
}

export interface Machine {
  /** Unique across sources: docker-machine's and Vagrant's names as they are, contexts as `context:NAME`, SSH hosts as given. */
  readonly name: string;
  readonly source: MachineSource;
  /** docker-machine's driver name (`virtualbox`, `generic`, `amazonec2`…) or Vagrant's provider. */
  readonly driver?: string;
  readonly ssh: SshEndpoint;
  readonly engine?: MachineEngine;
  /**
   * Where the daemon answers as seen on the machine itself, for verifying a
   * deploy: `unix:///var/run/docker.sock` unless the source knows better.
   * docker-machine machines: their TLS port as the machine sees it
   * (`tcp://localhost:2376`), asked through the SSH connection with the
   * client certificates of `engine.tls`, so the SSH user needs no access to
   * the socket.
   */
  readonly daemonHost?: string;
  /** The file or setting this machine was read from, for messages. */
  readonly origin: string;
  /**
   * What will probably stop a deploy although the machine could be read,
   * each a sentence naming the file or field (a key file that is missing or
   * too open, a store that was moved): shown before anything connects.
   */
  readonly warnings?: readonly string[];
}

/** A machine that could not be read: shown beside the good ones, never hiding them. */
export interface MachineProblem {
  readonly name: string;
  readonly source: MachineSource;
  /** File (and line where known) the problem is in. */
  readonly origin: string;
  readonly message: string;
}

export interface MachineList {
  readonly machines: readonly Machine[];
  readonly problems: readonly MachineProblem[];
}
