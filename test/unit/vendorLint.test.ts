import * as assert from 'assert';
import { GoModFile, isPseudoVersion, lintVendorConf, pseudoVersion, repositoryRoot, VendorConf, compareSemver, isAllowedTag, forkModulePath, repositoryUrl } from '../../src/core/vendor';

describe('vendor lint and versions', () => {
  it('knows repository roots on the hosts vndr knows, and makes no guess elsewhere', () => {
    const cases: Array<[string, string | null]> = [
      ['github.com/a/b', 'github.com/a/b'],
      ['github.com/a/b/c', 'github.com/a/b'],
      ['gitlab.com/a/b/c/d', 'gitlab.com/a/b'],
      ['bitbucket.org/a/b/c', 'bitbucket.org/a/b'],
      ['golang.org/x/net/context', 'golang.org/x/net'],
      ['golang.org/x/net', 'golang.org/x/net'],
      ['google.golang.org/grpc/codes', 'google.golang.org/grpc'],
      ['gopkg.in/yaml.v2', 'gopkg.in/yaml.v2'],
      ['gopkg.in/fsnotify/fsnotify.v1/sub', 'gopkg.in/fsnotify/fsnotify.v1'],
      ['example.com/a/b/c', null],
    ];
    for (const [importPath, root] of cases) assert.strictEqual(repositoryRoot(importPath), root, importPath);
  });

  it('takes a Go module major-version path as a repository root, as moby 20.10\'s vendor.conf writes them', () => {
    // Lines as moby v20.10.24's vendor.conf has them; /v1 and a deeper path stay errors.
    const text = ['github.com/coreos/go-systemd/v22 v22.1.0', 'github.com/godbus/dbus/v5 v5.0.3', 'github.com/cespare/xxhash/v2 d7df74196a9e781ede915320c11c378c1b2f3a1f # v2.1.1', 'github.com/a/b/v1 v1.0.0', 'github.com/a/b/v2/c v2.0.0'].join('\n');
    const problems = lintVendorConf(VendorConf.parse(text, '/r/vendor.conf'));
    assert.deepStrictEqual(problems.map((p) => [p.line, p.message]), [
      [4, 'github.com/a/b/v1 is not a repository root; vendor github.com/a/b instead'],
      [5, 'github.com/a/b/v2/c is not a repository root; vendor github.com/a/b instead'],
    ]);
  });

  it("reports vndr's errors with line, column and message: field count, duplicate, non-root path, malformed URL", () => {
    const text = [
      'github.com/a/b v1',
      'github.com/a/b/c v1',
      'github.com/a/b v2',
      'github.com/d/e v1 not a url',
      'github.com/f/g v1 htps//nowhere',
      'github.com/h/i v1 https://example.com/h/i.git',
      'github.com/j/k v1 git@github.com:me/k.git # scp form is fine',
      'golang.org/x/net/context v1',
    ].join('\n');
    const problems = lintVendorConf(VendorConf.parse(text, '/r/vendor.conf'));
    assert.deepStrictEqual(problems.map((p) => [p.file, p.line, p.column, p.severity]), [
      ['/r/vendor.conf', 2, 1, 'error'],
      ['/r/vendor.conf', 3, 1, 'error'],
      ['/r/vendor.conf', 4, 1, 'error'],
      ['/r/vendor.conf', 5, 19, 'error'],
      ['/r/vendor.conf', 8, 1, 'error'],
    ]);
    assert.match(problems[0].message, /github.com\/a\/b\/c is not a repository root; vendor github.com\/a\/b instead/);
    assert.match(problems[1].message, /duplicate import path github.com\/a\/b \(first on line 1\)/);
    assert.match(problems[2].message, /expected 2 or 3 fields/);
    assert.match(problems[3].message, /malformed repository URL 'htps\/\/nowhere'/);
    assert.match(problems[4].message, /vendor golang.org\/x\/net instead/);
  });

  it('computes pseudo-versions in all three of Go\'s forms, in UTC, with a 12-digit hash', () => {
    const time = new Date(Date.UTC(2023, 0, 19, 19, 53, 59));
    const hash = '904c221ac2813a1e3a21d35f9a5a9fa3b0a1b2c3';
    assert.strictEqual(pseudoVersion({ time, hash }), 'v0.0.0-20230119195359-904c221ac281');
    assert.strictEqual(pseudoVersion({ major: 'v2', time, hash }), 'v2.0.0-20230119195359-904c221ac281');
    assert.strictEqual(pseudoVersion({ base: 'v1.9.9', time, hash }), 'v1.9.10-0.20230119195359-904c221ac281');
    assert.strictEqual(pseudoVersion({ base: 'v1.2.3-rc.1', time, hash }), 'v1.2.3-rc.1.0.20230119195359-904c221ac281');
    for (const v of ['v0.0.0-20230119195359-904c221ac281', 'v1.9.10-0.20230119195359-904c221ac281', 'v1.2.3-rc.1.0.20230119195359-904c221ac281']) assert.ok(isPseudoVersion(v), v);
    assert.ok(!isPseudoVersion('v1.2.3'));
  });

  it('orders and filters tags as Go does', () => {
    const sorted = ['v1.0.0', 'v1.0.0-rc.1', 'v1.0.0-alpha', 'v0.9.0', 'v1.10.0', 'v1.2.0'].sort(compareSemver);
    assert.deepStrictEqual(sorted, ['v0.9.0', 'v1.0.0-alpha', 'v1.0.0-rc.1', 'v1.0.0', 'v1.2.0', 'v1.10.0']);
    assert.ok(isAllowedTag('v1.2.3', 'example.com/m'));
    assert.ok(!isAllowedTag('v1.2', 'example.com/m'), 'not canonical');
    assert.ok(!isAllowedTag('v2.0.0', 'example.com/m'), 'wrong major');
    assert.ok(isAllowedTag('v2.0.0', 'example.com/m/v2'));
    assert.ok(!isAllowedTag('release-1', 'example.com/m'));
  });

  it('names a fork module from its URL, keeping the /vN of the original', () => {
    assert.strictEqual(forkModulePath('https://github.com/me/swarmkit.git', 'github.com/moby/swarmkit/v2'), 'github.com/me/swarmkit/v2');
    assert.strictEqual(forkModulePath('git@github.com:me/containerd.git', 'github.com/containerd/containerd'), 'github.com/me/containerd');
    assert.strictEqual(repositoryUrl('github.com/me/x'), 'https://github.com/me/x');
    assert.throws(() => forkModulePath('/srv/git/x.git', 'a.com/x'), /cannot tell a Go module path/);
  });

  it('keeps a replace line\'s trailing comment when its target changes', () => {
    const mod = GoModFile.parse('replace (\n\ta.com/x => b.com/x v1.0.0 // why we fork\n)\n');
    mod.setReplace('a.com/x', 'c.com/x', 'v1.0.1');
    assert.strictEqual(mod.toString(), 'replace (\n\ta.com/x => c.com/x v1.0.1 // why we fork\n)\n');
  });
});
