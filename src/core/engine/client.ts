import Docker from 'dockerode';
import { promises as fs } from 'fs';
import * as http from 'http';
import * as https from 'https';
import { Duplex } from 'stream';
import { EngineConfigError, EngineEndpoint } from './endpoint';
import { SshDialAgent } from './sshDialAgent';

/** Puts a TLS failure in words (which engine, which file) before the request reports it. */
class EngineTlsAgent extends https.Agent {
  constructor(options: https.AgentOptions, private readonly explain: (e: Error) => string | undefined) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.prependListener('error', (e: Error) => {
      const why = this.explain(e);
      if (why && !e.message.startsWith(why)) e.message = `${why} (${e.message})`;
    });
    return socket;
  }
}

const SERVER_NOT_TRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function explainTlsFailure(e: Error, url: string, tls: NonNullable<EngineEndpoint['tls']>, withClientCert: boolean): string | undefined {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  // TLS alerts 42 (bad certificate) and 116 (certificate required): the server wanted a client certificate.
  if (/alert (bad certificate|certificate required)|alert number (42|116)\b/i.test(e.message)) {
    return withClientCert
      ? `The engine at ${url} refused the client certificate ${tls.cert}`
      : `The engine at ${url} asks for a client certificate, and there is no cert.pem and key.pem pair${tls.ca ? ` next to ${tls.ca}` : ''}`;
  }
  if (SERVER_NOT_TRUSTED.has(code)) return `The engine at ${url} has a certificate that ${tls.ca ? `the CA ${tls.ca}` : 'the system CAs'} does not vouch for`;
  return undefined;
}

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
    const agent = new EngineTlsAgent({ ca, cert, key, rejectUnauthorized: ep.tls.verify }, (e) => explainTlsFailure(e, url, ep.tls!, !!pair));
    return new Docker({ protocol: 'https', host: u.hostname, port, agent } as Docker.DockerOptions);
  }
  throw new EngineConfigError(`Unsupported Docker host '${url}': use unix://, tcp:// or ssh://.`);
}
