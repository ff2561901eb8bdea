import * as assert from 'assert';
import { engineEnvironmentFor, withEngine } from '../../src/core/machines/engineEnvironment';
import type { Machine } from '../../src/core/machines/machine';

const base: Machine = { name: 'm', source: 'ssh', ssh: { host: 'h.example', hostKeys: 'user' }, origin: 'test' };

describe('the engine a machine gives builds (Use as Engine for Builds)', () => {
  it('docker-machine with TLS: its endpoint and its certificate folder, as docker-machine env says', () => {
    const m: Machine = { ...base, source: 'docker-machine', engine: { host: 'tcp://192.168.99.100:2376', tls: { ca: '/s/machines/m/ca.pem', cert: '/s/machines/m/cert.pem', key: '/s/machines/m/key.pem' } } };
    assert.deepStrictEqual(engineEnvironmentFor(m), { set: { DOCKER_HOST: 'tcp://192.168.99.100:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/s/machines/m' }, notes: [] });
  });

  it('TLS files docker cannot find by name in one folder: ssh:// instead, and says why', () => {
    const m: Machine = { ...base, source: 'docker-machine', ssh: { host: '10.0.0.5', port: 2222, user: 'docker', hostKeys: 'pinned', identityFile: '/k/id_rsa' }, engine: { host: 'tcp://10.0.0.5:2376', tls: { ca: '/certs/ca.pem', cert: '/other/cert.pem', key: '/certs/key.pem' } } };
    const e = engineEnvironmentFor(m);
    assert.deepStrictEqual(e.set, { DOCKER_HOST: 'ssh://docker@10.0.0.5:2222' });
    assert.strictEqual(e.notes.length, 3);
    assert.match(e.notes[0], /DOCKER_CERT_PATH/);
    assert.match(e.notes[1], /\/k\/id_rsa/);
  });

  it('a context by its name; an SSH host (IPv6, no user or port) as ssh://', () => {
    assert.deepStrictEqual(engineEnvironmentFor({ ...base, source: 'context', name: 'context:lab' }).set, { DOCKER_CONTEXT: 'lab' });
    assert.deepStrictEqual(engineEnvironmentFor({ ...base, ssh: { host: '::1', hostKeys: 'user' } }).set, { DOCKER_HOST: 'ssh://[::1]' });
  });

  it('replaces every engine variable and keeps the others', () => {
    const next = withEngine({ DOCKER_CONTEXT: 'old', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/x', GOFLAGS: '-mod=vendor' }, { set: { DOCKER_HOST: 'ssh://h' }, notes: [] });
    assert.deepStrictEqual(next, { GOFLAGS: '-mod=vendor', DOCKER_HOST: 'ssh://h' });
  });
});
