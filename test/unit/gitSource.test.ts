import * as assert from 'assert';
import { gitCacheOwner } from '../../src/core/build/gitSourceBuild';
import { parseGitSource, withoutCredentials } from '../../src/core/git/oneCommit';
import { GitOperationError } from '../../src/core/git/errors';

describe('parseGitSource (URL#REF of build --git)', () => {
  it('splits at the last #, and takes the default branch without one', () => {
    assert.deepStrictEqual(parseGitSource('https://github.com/you/moby.git#my-branch'), { url: 'https://github.com/you/moby.git', ref: 'my-branch' });
    assert.deepStrictEqual(parseGitSource('git@github.com:you/moby.git#v24.0.7'), { url: 'git@github.com:you/moby.git', ref: 'v24.0.7' });
    assert.deepStrictEqual(parseGitSource('git://127.0.0.1:9418/moby.git'), { url: 'git://127.0.0.1:9418/moby.git', ref: 'HEAD' });
    assert.deepStrictEqual(parseGitSource('https://host/a#b#feature/x'), { url: 'https://host/a#b', ref: 'feature/x' });
  });

  it('refuses what git would take as an option or cannot name', () => {
    for (const bad of ['', '#main', '-uhost#main', 'https://host/a b#main', 'https://host/a#', 'https://host/a#-x', 'https://host/a#a..b', 'https://host/a#x y', 'https://host/a#HEAD~1']) {
      assert.throws(() => parseGitSource(bad), (e: unknown) => e instanceof GitOperationError && e.kind === 'invalid-input', bad);
    }
  });
});

describe('Git build URLs in logs and labels', () => {
  it('drops a user name or token, keeps the rest', () => {
    assert.strictEqual(withoutCredentials('https://me:ghp_secret@github.com/me/moby.git'), 'https://github.com/me/moby.git');
    assert.strictEqual(withoutCredentials('git@github.com:me/moby.git'), 'git@github.com:me/moby.git');
    assert.strictEqual(gitCacheOwner('https://tok@host/x.git'), 'git:https://host/x.git');
  });
});
