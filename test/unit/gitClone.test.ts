import * as assert from 'assert';
import { classifyGitFailure } from '../../src/core/git/errors';
import { defaultCloneDirectory, DOCKER_SOURCES, sourceUrl } from '../../src/core/git/sources';
import { parsePorcelain } from '../../src/core/git/status';

describe('core/git: sources, git error mapping, status parsing', () => {
  it('maps the short names to the canonical repositories and takes anything else as a URL', () => {
    assert.strictEqual(sourceUrl('moby'), 'https://github.com/moby/moby.git');
    assert.strictEqual(sourceUrl('cli'), 'https://github.com/docker/cli.git');
    assert.strictEqual(sourceUrl('containerd'), 'https://github.com/containerd/containerd.git');
    assert.strictEqual(sourceUrl('git@github.com:me/moby.git'), 'git@github.com:me/moby.git');
    assert.strictEqual(DOCKER_SOURCES['docker-ce'].archived, true);
  });

  it('names the clone folder as git clone would', () => {
    assert.strictEqual(defaultCloneDirectory('moby'), 'moby');
    assert.strictEqual(defaultCloneDirectory('docker-ce'), 'docker-ce');
    assert.strictEqual(defaultCloneDirectory('git://127.0.0.1:9418/upstream.git'), 'upstream');
    assert.strictEqual(defaultCloneDirectory('git@github.com:me/cli.git/'), 'cli');
    assert.strictEqual(defaultCloneDirectory('/srv/repos/engine'), 'engine');
  });

  // git's own stderr for each failure, as git 2.39 prints it.
  const cases: Array<[string, string, string, RegExp]> = [
    ['fatal: unable to access \'https://no-such-host.invalid/x.git/\': Could not resolve host: no-such-host.invalid', 'https://no-such-host.invalid/x.git', 'no-network', /Cannot resolve no-such-host\.invalid/],
    ['fatal: unable to look up no-such-host.invalid (port 9418) (Name or service not known)', 'git://no-such-host.invalid/x.git', 'no-network', /Cannot resolve no-such-host\.invalid/],
    ['fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused', 'git://127.0.0.1:1/x.git', 'unreachable', /Cannot connect to 127\.0\.0\.1:1/],
    ['git@127.0.0.1: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'ssh://git@127.0.0.1:2222/x.git', 'auth', /Authentication to 127\.0\.0\.1:2222 failed/],
    ['fatal: could not read Username for \'https://github.com\': terminal prompts disabled', 'https://github.com/me/private.git', 'auth', /Authentication to github\.com failed/],
    ['fatal: remote error: access denied or repository not exported: /nope.git', 'git://127.0.0.1:9418/nope.git', 'not-found', /No git repository at git:\/\/127\.0\.0\.1:9418\/nope\.git/],
    ['fatal: repository \'https://example.com/nope.git/\' not found', 'https://example.com/nope.git', 'not-found', /No git repository/],
    ['warning: Could not find remote branch v9 to clone.\nfatal: Remote branch v9 not found in upstream origin', 'git://h/x.git', 'unknown-ref', /No branch, tag or commit 'v9'/],
    ['fatal: early EOF', 'git://h/x.git', 'failed', /git failed for git:\/\/h\/x\.git \(git: fatal: early EOF\)/],
  ];
  for (const [stderr, url, kind, message] of cases) {
    it(`maps "${stderr.split('\n').pop()}" to ${kind}`, () => {
      const e = classifyGitFailure(stderr, url, 'v9');
      assert.strictEqual(e.kind, kind);
      assert.match(e.message, message);
    });
  }

  it('counts changed files from git status --porcelain -z: staged, unstaged, untracked, renamed, conflicted', () => {
    const z = ['M  staged.go', ' M edited.go', '?? new.txt', 'R  to.go', 'from.go', 'UU both.go', ''].join('\0');
    assert.deepStrictEqual(parsePorcelain(z), { changedFiles: 5, trackedChanges: 4, untracked: 1, conflicted: 1 });
    assert.deepStrictEqual(parsePorcelain(''), { changedFiles: 0, trackedChanges: 0, untracked: 0, conflicted: 0 });
  });
});
