import Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as https from 'https';
import { EngineConfigError, EngineEndpoint } from './endpoint';
import { SshDialAgent } from './sshDialAgent';

/** A dockerode client for an endpoint resolved by resolveEngine. */
export async function createDockerClient(ep: EngineEndpoint, options: { env?: NodeJS.ProcessEnv } = {}): Promise<Docker> {
  const url = ep.host;
  if (url.startsWith('unix://')) return new Docker({ socketPath: url.slice('unix://'.length) });
  if (url.startsWith('ssh://')) {
    return new Docker({ protocol: 'http', host: 'docker', port: 80, agent: new SshDialAgent(url, 'ssh', options.env) } as Docker.DockerOptions);
  }
  if (url.startsWith('tcp://')) {
    const u = new URL(url.replace(/^tcp:/, 'http:'));
    const port = Number(u.port || (ep.tls ? 2376 : 2375));
    if (!ep.tls) return new Docker({ protocol: 'http', host: u.hostname, port });
    const read = async (file: string | undefined, what: string) => {
      if (!file) return undefined;
      try {
        return await fs.readFile(file);
      } catch (e) {
        throw new EngineConfigError(`TLS ${what} for ${url} cannot be read at ${file}: ${(e as Error).message}`);
      }
    };
    const [ca, cert, key] = await Promise.all([read(ep.tls.ca, 'CA certificate'), read(ep.tls.cert, 'client certificate'), read(ep.tls.key, 'client key')]);
    const agent = new https.Agent({ ca, cert, key, rejectUnauthorized: ep.tls.verify });
    return new Docker({ protocol: 'https', host: u.hostname, port, agent } as Docker.DockerOptions);
  }
  throw new EngineConfigError(`Unsupported Docker host '${url}': use unix://, tcp:// or ssh://.`);
}
