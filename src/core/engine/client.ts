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
    // DOCKER_HOST arrives with a port (parseDockerHost); a context's host is used as
    // stored, and the CLI then dials HTTP's own default port, as here.
    const port = Number(u.port || (ep.tls ? 443 : 80));
    if (!ep.tls) return new Docker({ protocol: 'http', host: u.hostname, port });
    const read = async (file: string | undefined, what: string) => {
      if (!file) return undefined;
      try {
        return await fs.readFile(file);
      } catch (e) {
        throw new EngineConfigError(`TLS ${what} for ${url} cannot be read at ${file}: ${(e as Error).message}`);
      }
    };
    // A client certificate only as a pair, as the CLI does (cli/context/docker/load.go tlsConfig);
    // with no CA, the system roots verify the server, as Go's default does.
    const pair = ep.tls.cert && ep.tls.key;
    const [ca, cert, key] = await Promise.all([
      read(ep.tls.ca, 'CA certificate'),
      read(pair ? ep.tls.cert : undefined, 'client certificate'),
      read(pair ? ep.tls.key : undefined, 'client key'),
    ]);
    const agent = new https.Agent({ ca, cert, key, rejectUnauthorized: ep.tls.verify });
    return new Docker({ protocol: 'https', host: u.hostname, port, agent } as Docker.DockerOptions);
  }
  throw new EngineConfigError(`Unsupported Docker host '${url}': use unix://, tcp:// or ssh://.`);
}
