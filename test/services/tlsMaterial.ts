import * as fs from 'fs';
import * as path from 'path';
import { run } from './processes';

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files. */
export interface TlsMaterial {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A folder with ca.pem, cert.pem and key.pem: what DOCKER_CERT_PATH names. */
  readonly clientDir: string;
}

export async function makeTlsMaterial(dir: string, openssl: string): Promise<TlsMaterial> {
  fs.mkdirSync(dir, { recursive: true });
  const clientDir = path.join(dir, 'client');
  fs.mkdirSync(clientDir);
  const p = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(openssl, ['req', '-x509', ...ec, '-keyout', p('ca-key.pem'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=dfw-rig-ca']);
  const sign = async (name: string, cn: string, ext: string) => {
    fs.writeFileSync(p(`${name}.ext`), ext);
    await run(openssl, ['req', ...ec, '-keyout', p(`${name}-key.pem`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
    await run(openssl, ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-out', p(`${name}-cert.pem`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  };
  await sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await sign('client', 'dfw-rig-client', 'extendedKeyUsage=clientAuth\n');
  fs.copyFileSync(p('ca.pem'), path.join(clientDir, 'ca.pem'));
  fs.copyFileSync(p('client-cert.pem'), path.join(clientDir, 'cert.pem'));
  fs.copyFileSync(p('client-key.pem'), path.join(clientDir, 'key.pem'));
  return { ca: p('ca.pem'), serverCert: p('server-cert.pem'), serverKey: p('server-key.pem'), clientDir };
}
