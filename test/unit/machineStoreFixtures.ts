import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SAMPLES } from './paths';

/** The real config.json files in shared/samples, by the machine name each was written for. */
export const SAMPLE_CONFIGS = {
  /** v3, virtualbox, as `docker-machine inspect` prints it (badtuxx/DescomplicandoDocker). */
  linuxtips: 'docker-machine-config-v3-virtualbox-from-badtuxx-DescomplicandoDocker-CHAPTER_12.json',
  /** v3 with a stub Driver and the full driver in base64 RawDriver (docker/machine migrate_test.go). */
  default: 'docker-machine-master-b170508b-libmachine-host-migrate_test-v3-with-RawDriver.json',
  /** v1 (docker/machine migrate_v1_v2_test.go). */
  foobar: 'docker-machine-master-b170508b-libmachine-host-migrate_v1_v2_test-v1conf.json',
} as const;

export function sampleText(file: string): string {
  return fs.readFileSync(path.join(SAMPLES, file), 'utf8');
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dfw-${prefix}-`));
}

/**
 * Writes a docker-machine store in its own layout: `machines/NAME/config.json`
 * plus the files docker-machine keeps beside it (id_rsa, ca.pem, cert.pem,
 * key.pem), mode 0600 as docker-machine writes them.
 */
export function writeStore(root: string, machines: Record<string, { config: string; files?: string[] }>): string {
  for (const [name, { config, files = [] }] of Object.entries(machines)) {
    const dir = path.join(root, 'machines', name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'config.json'), config, { mode: 0o600 });
    for (const f of files) fs.writeFileSync(path.join(dir, f), `not a real ${f}\n`, { mode: 0o600 });
  }
  return root;
}

/** A config.json as docker-machine 0.16 writes it (json.MarshalIndent, 4 spaces) for `driver` with these driver fields. */
export function v3Config(name: string, driverName: string, driver: Record<string, unknown>, storePath: string): string {
  return JSON.stringify({
    ConfigVersion: 3,
    Driver: { MachineName: name, StorePath: storePath, SwarmMaster: false, SwarmHost: '', SwarmDiscovery: '', ...driver },
    DriverName: driverName,
    HostOptions: {
      Driver: '',
      Memory: 0,
      Disk: 0,
      EngineOptions: { ArbitraryFlags: [], Dns: null, GraphDir: '', Env: [], Ipv6: false, InsecureRegistry: [], Labels: [], LogLevel: '', StorageDriver: '', SelinuxEnabled: false, TlsVerify: true, RegistryMirror: [], InstallURL: 'https://get.docker.com' },
      AuthOptions: {
        CertDir: `${storePath}/certs`,
        CaCertPath: `${storePath}/certs/ca.pem`,
        CaPrivateKeyPath: `${storePath}/certs/ca-key.pem`,
        CaCertRemotePath: '',
        ServerCertPath: `${storePath}/machines/${name}/server.pem`,
        ServerKeyPath: `${storePath}/machines/${name}/server-key.pem`,
        ClientKeyPath: `${storePath}/certs/key.pem`,
        ServerCertRemotePath: '',
        ServerKeyRemotePath: '',
        ClientCertPath: `${storePath}/certs/cert.pem`,
        ServerCertSANs: [],
        StorePath: `${storePath}/machines/${name}`,
      },
    },
    Name: name,
  }, null, 4);
}
