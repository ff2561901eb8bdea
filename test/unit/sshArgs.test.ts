import * as assert from 'assert';
import type { Machine } from '../../src/core/machines/machine';
import { sshCommandLine } from '../../src/core/ssh/sshCommandLine';
import { endpointArgs } from '../../src/core/ssh/sshSession';

const machine = (over: Partial<Machine['ssh']> = {}): Machine => ({
  name: 'm',
  source: 'vagrant',
  ssh: { host: '-oProxyCommand=touch x', port: 2222, user: 'core', identityFile: '/keys/my key', hostKeys: 'pinned', options: { IdentitiesOnly: 'yes', ProxyCommand: 'nc %h %p', LogLevel: 'QUIET', StrictHostKeyChecking: 'no' }, ...over },
  origin: 'test',
});

describe('ssh arguments for a machine (sessions and terminals alike)', function () {
  it('pins host keys in our file, passes only harmless options, never a source\'s StrictHostKeyChecking or ProxyCommand', function () {
    const args = endpointArgs(machine(), '/state/known_hosts');
    assert.deepStrictEqual(args, [
      '-p', '2222', '-l', 'core', '-i', '/keys/my key', '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/state/known_hosts', '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no',
      '-o', 'IdentitiesOnly=yes',
    ]);
  });

  it('leaves everything to OpenSSH for an ssh_config alias with the user\'s known_hosts', function () {
    assert.deepStrictEqual(endpointArgs({ name: 'a', source: 'ssh', ssh: { host: 'lab', hostKeys: 'user' }, origin: 'settings' }, '/state/known_hosts'), []);
  });

  it('a terminal: a tty, the destination after --, the remote command quoted as one word list', function () {
    const argv = sshCommandLine(machine(), '/state/known_hosts', ['journalctl', '-fu', 'docker', "it's"]);
    assert.strictEqual(argv[0], '-t');
    assert.deepStrictEqual(argv.slice(-3), ['--', '-oProxyCommand=touch x', "journalctl -fu docker 'it'\\''s'"]);
  });
});
