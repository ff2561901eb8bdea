import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { remoteShCommand, shellCommand, shellQuote, shellScript } from '../../src/core/util/remoteShell';

/** What a real POSIX shell makes of a command line: its argv, one per NUL. */
function argvThroughSh(commandLine: string): string[] {
  const out = execFileSync('sh', ['-c', `${commandLine}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const NASTY = [
  'plain',
  'with space',
  "it's",
  '"double"',
  '$(touch /tmp/dfw-never-created)',
  '`id`',
  'line\nbreak',
  'back\\slash',
  '*',
  '~',
  '-n',
  '',
  "'",
  "''\\''",
  '$HOME ${PATH} $((1+1))',
  'tab\there',
  'ünïcödé ✓',
  '; rm -rf / #',
];

describe('remote shell quoting (the one helper every remote command goes through)', function () {
  it('a real sh gets back exactly the words given: spaces, quotes, $(), backquotes, newlines, globs, empty', function () {
    const got = argvThroughSh(shellCommand(['printf', '%s\\0', ...NASTY]));
    assert.deepStrictEqual(got, NASTY);
  });

  it('survives two shells: the login shell, then sh -c (what ssh does with remoteShCommand)', function () {
    const script = shellScript([['printf', '%s\\0', ...NASTY]]);
    const got = argvThroughSh(remoteShCommand(script));
    assert.deepStrictEqual(got, NASTY);
  });

  it('leaves plain words alone and refuses NUL', function () {
    assert.strictEqual(shellQuote('/usr/bin/dockerd'), '/usr/bin/dockerd');
    assert.strictEqual(shellQuote('a b'), "'a b'");
    assert.strictEqual(shellQuote(''), "''");
    assert.throws(() => shellQuote('a\0b'), /NUL/);
    assert.throws(() => shellCommand([]), /empty/);
  });

  it('a script stops at the first failing line (set -e)', function () {
    assert.throws(() => execFileSync('sh', ['-c', shellScript([['false'], ['touch', '/tmp/dfw-never-created']])]));
  });

  it('sudo goes in front as its own words', function () {
    assert.strictEqual(remoteShCommand('echo hi', true), "sudo -n sh -c 'echo hi'");
  });
});
