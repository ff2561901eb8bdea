import * as assert from 'assert';
import { lintVendorConf, VendorConf } from '../../src/core/vendor';
import { lineDiff, toCrlf, vendorSamples } from './vendorTestUtil';

const FORK = 'https://github.com/example/fork.git';

describe('vendor.conf model', () => {
  const samples = vendorSamples('vendor.conf');

  it('round-trips every sample byte for byte, also with CRLF and without a final newline', () => {
    for (const { name, text } of samples) {
      for (const variant of [text, toCrlf(text), text.replace(/\n+$/, ''), toCrlf(text).replace(/(\r\n)+$/, '')]) {
        const conf = VendorConf.parse(variant, name);
        assert.strictEqual(conf.toString(), variant, name);
        assert.deepStrictEqual(conf.problems, [], `${name} parses cleanly`);
      }
      assert.ok(VendorConf.parse(text).entries.length > 20, `${name} has entries`);
    }
  });

  it('reads the fields the way vndr does: trailing comments, any whitespace, optional third field', () => {
    const conf = VendorConf.parse('# c\n\n  a.com/x/y \t v1  # note # more\ngithub.com/a/b  abc  https://example.com/b.git\r\n  # indented comment\n');
    assert.deepStrictEqual(
      conf.entries.map((e) => [e.line, e.importPath, e.ref, e.repo, e.comment]),
      [
        [3, 'a.com/x/y', 'v1', null, '# note # more'],
        [4, 'github.com/a/b', 'abc', 'https://example.com/b.git', null],
      ],
    );
  });

  it('a fork edit on each sample changes exactly that line, keeps its comment and the column alignment', () => {
    for (const { name, text } of samples) {
      for (const crlf of [false, true]) {
        const input = crlf ? toCrlf(text) : text;
        const conf = VendorConf.parse(input, name);
        // An entry with a trailing comment when the sample has one, else the middle entry.
        const entries = conf.entries;
        const target = entries.find((e) => e.comment !== null && e.repo === null) ?? entries[Math.floor(entries.length / 2)];
        const before = conf.lineText(target.line);
        const changed = conf.setFork(target.importPath, FORK, 'deadbeef');
        assert.strictEqual(changed, target.line);
        const after = conf.toString();
        assert.deepStrictEqual(lineDiff(input, after), { changed: [target.line], inserted: [], removed: [] }, name);
        const line = conf.lineText(target.line);
        const entry = conf.find(target.importPath)[0];
        assert.deepStrictEqual([entry.ref, entry.repo, entry.comment], ['deadbeef', FORK, target.comment], name);
        // The revision stays in its column (the file aligns it or not, as before).
        assert.strictEqual(line.indexOf('deadbeef'), before.indexOf(target.ref), name);
        if (target.comment !== null) {
          // The comment keeps its column when the new content fits before it.
          const oldCol = before.indexOf('#');
          const contentEnd = line.indexOf(FORK) + FORK.length;
          assert.strictEqual(line.indexOf('#'), contentEnd < oldCol ? oldCol : contentEnd + 1, `${name}: ${line}`);
        }
        if (crlf) assert.ok(after.split('\n').slice(0, -1).every((l) => l.endsWith('\r')), 'CRLF kept on every line');
        // Resetting to the original values gives the original bytes back.
        conf.setEntry(target.importPath, { ref: target.ref, repo: target.repo });
        assert.strictEqual(conf.toString(), input, `${name}: reset restores the line`);
      }
    }
  });

  it('pads a new third field to the column its neighbours use', () => {
    const text = 'a.com/x/one     v1     https://e.com/one\na.com/x/two     v2\na.com/x/three   v3     https://e.com/three\n';
    const conf = VendorConf.parse(text);
    conf.setFork('a.com/x/two', 'https://e.com/two');
    assert.strictEqual(conf.toString().split('\n')[1], 'a.com/x/two     v2     https://e.com/two');
    conf.setEntry('a.com/x/two', { ref: 'v2.0.0-long', repo: null });
    assert.strictEqual(conf.toString().split('\n')[1], 'a.com/x/two     v2.0.0-long');
  });

  it('re-pads an aligned comment when the revision grows, and never joins fields', () => {
    const conf = VendorConf.parse('a/b v1                 # c\n');
    conf.setEntry('a/b', { ref: 'v1.2.3-averyveryverylongrevision' });
    assert.strictEqual(conf.toString(), 'a/b v1.2.3-averyveryverylongrevision # c\n');
  });

  it('keeps malformed lines verbatim and reports each with its line; edits elsewhere leave them alone', () => {
    const text = 'github.com/a/b v1\njust-one-field\ngithub.com/c/d v2 https://x.com/d extra # four fields\n\u0000\u0001 binary\n';
    const conf = VendorConf.parse(text, 'vendor.conf');
    assert.deepStrictEqual(conf.problems.map((p) => [p.line, p.column, p.severity]), [[2, 1, 'error'], [3, 1, 'error']]);
    assert.match(conf.problems[0].message, /expected 2 or 3 fields .* found 1/);
    conf.setFork('github.com/a/b', FORK);
    assert.deepStrictEqual(lineDiff(text, conf.toString()).changed, [1]);
    assert.throws(() => conf.setFork('github.com/nope/x', FORK), /no entry for github.com\/nope\/x/);
    assert.throws(() => conf.setFork('github.com/a/b', 'has space'), /cannot be a vendor.conf field/);
  });

  it('refuses to edit a duplicated import path, and the lint names both lines', () => {
    const conf = VendorConf.parse('github.com/a/b v1\ngithub.com/a/b v2\n', 'f');
    assert.throws(() => conf.setFork('github.com/a/b', FORK), /listed 2 times \(lines 1, 2\)/);
    const problems = lintVendorConf(conf);
    assert.deepStrictEqual(problems.map((p) => [p.line, p.column]), [[2, 1]]);
    assert.match(problems[0].message, /duplicate import path github.com\/a\/b \(first on line 1\)/);
  });
});
