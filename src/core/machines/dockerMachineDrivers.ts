import * as path from 'path';
import { GoFields } from './goJsonFields';

// How docker-machine (github.com/docker/machine, last release line, commit
// b170508b) reaches a machine over SSH, driver by driver. `docker-machine ssh`
// builds its client from four driver methods (libmachine/drivers/utils.go
// GetSSHClientFromDriver): GetSSHHostname, GetSSHPort, GetSSHUsername and
// GetSSHKeyPath. Their defaults live in libmachine/drivers/base.go (port 22,
// user root, key <StorePath>/machines/<MachineName>/id_rsa); the drivers
// below override some of them. The engine URL is each driver's GetURL.
//
// Several drivers answer GetIP by asking the provider each time (virtualbox,
// vmwarefusion, vmwarevsphere, hyperv: the VM's DHCP lease; amazonec2,
// google, azure: the cloud API). We never call providers: the address used
// is the IPAddress docker-machine recorded in config.json when it last
// created or started the machine, which is what it prints until then too.

/** Where docker-machine connects for SSH and where the engine answers, from a driver's stored fields. */
export interface DriverEndpoint {
  /** Undefined: the driver has no SSH access (driver `none`, created with --url). */
  readonly sshHost?: string;
  readonly sshPort: number;
  /** Undefined only for `generic` without SSHUser, where docker-machine would send an empty user. */
  readonly sshUser?: string;
  /** Undefined: no key, so ssh falls back to the agent and its default keys (docker-machine adds no -i). */
  readonly keyPath?: string;
  /** `tcp://IP:2376` as the driver's GetURL builds it; undefined without a recorded address. */
  readonly engineUrl?: string;
  /** False for third-party plugin drivers, resolved with libmachine's BaseDriver defaults. */
  readonly knownDriver: boolean;
}

const DEFAULT_SSH_PORT = 22; // libmachine/drivers/base.go DefaultSSHPort
const DEFAULT_SSH_USER = 'root'; // libmachine/drivers/base.go DefaultSSHUser
const DEFAULT_ENGINE_PORT = 2376; // libmachine/engine/engine.go DefaultPort

/** net.JoinHostPort: IPv6 addresses in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function tcpUrl(ip: string, port: number): string | undefined {
  return ip ? `tcp://${joinHostPort(ip, port || DEFAULT_ENGINE_PORT)}` : undefined;
}

/** The BaseDriver defaults every driver starts from (libmachine/drivers/base.go). */
function baseEndpoint(d: GoFields, storePath: string, machineName: string): DriverEndpoint {
  const ip = d.string('IPAddress');
  return {
    sshHost: ip,
    sshPort: d.int('SSHPort') || DEFAULT_SSH_PORT,
    sshUser: d.string('SSHUser') || DEFAULT_SSH_USER,
    // BaseDriver.ResolveStorePath: filepath.Join(StorePath, "machines", MachineName, file)
    keyPath: d.string('SSHKeyPath') || path.join(storePath, 'machines', machineName, 'id_rsa'),
    engineUrl: tcpUrl(ip, DEFAULT_ENGINE_PORT),
    knownDriver: true,
  };
}

type Override = (d: GoFields, base: DriverEndpoint, resolve: (file: string) => string) => DriverEndpoint;

/** exoscale.go GetSSHUsername: the image's usual user when none was given. */
function exoscaleUser(image: string): string {
  const name = image.toLowerCase();
  const byImage: Array<[string, string]> = [['ubuntu', 'ubuntu'], ['centos', 'centos'], ['redhat', 'cloud-user'], ['fedora', 'fedora'], ['coreos', 'core'], ['debian', 'debian']];
  return byImage.find(([word]) => name.includes(word))?.[1] ?? DEFAULT_SSH_USER;
}

const DRIVERS: Record<string, Override> = {
  // drivers/virtualbox/virtualbox.go: SSH through the NAT port forward on
  // 127.0.0.1 (SSHPort is the forwarded host port), user docker; the engine
  // on the host-only address.
  virtualbox: (d, b) => ({ ...b, sshHost: '127.0.0.1', sshUser: d.string('SSHUser') || 'docker' }),
  // drivers/generic/generic.go: GetSSHUsername and GetSSHKeyPath return the
  // fields as they are (no defaults); SSHKeyPath is the copy of --generic-ssh-key
  // made in the machine's folder, SSHKey the original. The engine on EnginePort.
  generic: (d, b) => ({
    ...b,
    sshUser: d.string('SSHUser') || undefined,
    keyPath: d.string('SSHKeyPath') || undefined,
    engineUrl: tcpUrl(d.string('IPAddress'), d.has('EnginePort') ? d.int('EnginePort') : DEFAULT_ENGINE_PORT),
  }),
  // drivers/amazonec2/amazonec2.go: user ubuntu, port 22; IPAddress is the
  // public or private address as --amazonec2-use-private-address chose.
  amazonec2: (d, b) => ({ ...b, sshUser: d.string('SSHUser') || 'ubuntu' }),
  // drivers/digitalocean/digitalocean.go GetSSHKeyPath: an imported key
  // (SSHKey) was copied into the machine folder under its own name; with a
  // key fingerprint and no path, no key at all (the agent holds it).
  digitalocean: (d, b, resolve) => {
    const sshKey = d.string('SSHKey');
    const keyPath = sshKey ? resolve(path.basename(sshKey)) : d.string('SSHKeyPath') || (d.string('SSHKeyFingerprint') ? undefined : resolve('id_rsa'));
    return { ...b, keyPath };
  },
  // drivers/google/google.go GetSSHUsername: docker-user.
  google: (d, b) => ({ ...b, sshUser: d.string('SSHUser') || 'docker-user' }),
  exoscale: (d, b) => ({ ...b, sshUser: d.string('SSHUser') || exoscaleUser(d.string('Image')) }),
  // drivers/vmwarefusion/fusion_darwin.go, drivers/vmwarevsphere/vsphere.go: boot2docker's user.
  vmwarefusion: (d, b) => ({ ...b, sshUser: d.string('SSHUser') || 'docker' }),
  vmwarevsphere: (d, b) => ({ ...b, sshUser: d.string('SSHUser') || 'docker' }),
  // drivers/vmwarevcloudair/vcloudair.go: GetIP is PublicIP, the engine on DockerPort.
  vmwarevcloudair: (d, b) => ({ ...b, sshHost: d.string('PublicIP'), engineUrl: tcpUrl(d.string('PublicIP'), d.int('DockerPort')) }),
  // drivers/azure/azure.go: the engine on DockerPort (--azure-docker-port).
  azure: (d, b) => ({ ...b, engineUrl: tcpUrl(d.string('IPAddress'), d.int('DockerPort')) }),
  // drivers/hyperv, openstack, rackspace, softlayer: BaseDriver's SSH defaults, engine on 2376.
  hyperv: (_d, b) => b,
  openstack: (_d, b) => b,
  rackspace: (_d, b) => b,
  softlayer: (_d, b) => b,
  // drivers/none/driver.go (`docker-machine create --url`): no SSH at all, the engine at URL.
  none: (d) => ({ sshHost: undefined, sshPort: 0, engineUrl: d.string('URL') || undefined, knownDriver: true }),
};

/** Where docker-machine would SSH to and reach the engine of a machine of `driverName` with these driver fields. */
export function resolveDriverEndpoint(driverName: string, d: GoFields, storePath: string, machineName: string): DriverEndpoint {
  const base = baseEndpoint(d, storePath, machineName);
  const override = DRIVERS[driverName];
  if (!override) return { ...base, knownDriver: false };
  return override(d, base, (file) => path.join(storePath, 'machines', machineName, file));
}
