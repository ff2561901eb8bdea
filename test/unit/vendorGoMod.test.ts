import * as assert from 'assert';
import { GoModFile, lintGoMod } from '../../src/core/vendor';
import { lineDiff, toCrlf, vendorSamples } from './vendorTestUtil';

describe('vendor.mod / go.mod model', () => {
  const samples = vendorSamples('vendor.mod');

  it('round-trips every sample byte for byte, also with CRLF and without a final newline', () => {
    for (const { name, text } of samples) {
      for (const variant of [text, toCrlf(text), text.replace(/\n+$/, '')]) {
        const mod = GoModFile.parse(variant, name);
        assert.strictEqual(mod.toString(), variant, name);
        assert.deepStrictEqual(mod.problems, [], name);
        assert.deepStrictEqual(lintGoMod(mod), [], name);
      }
    }
  });

  it('on each sample, a fork adds exactly one replace line and removing it restores every byte; an update changes one line', () => {
    for (const { name, text } of samples) {
      const mod = GoModFile.parse(text, name);
      const replaced = new Set(mod.replaces.map((r) => r.module));
      const target = mod.requires.find((r) => !replaced.has(r.module) && !r.indirect) ?? assert.fail(`${name}: a direct require`);
      const [line] = mod.setReplace(target.module, `example.com/fork/${target.module.split('/').pop()}`, 'v9.9.9');
      const forked = mod.toString();
      const diff = lineDiff(text, forked);
      assert.ok(diff.changed.length === 0 && diff.removed.length === 0 && diff.inserted.includes(line), `${name}: ${JSON.stringify(diff)}`);
      assert.ok(diff.inserted.length === 1 || (mod.replaces.length === 1 && diff.inserted.length === 2), `${name}: one line, plus a blank before a first replace`);
      mod.setReplace(target.module, 'example.com/other', 'v1.0.0');
      assert.deepStrictEqual(lineDiff(forked, mod.toString()), { changed: [line], inserted: [], removed: [] }, name);
      mod.removeReplace(target.module);
      const back = mod.toString();
      // Byte-identical, or (when the fork made the file's first replace) only the blank line put before it remains.
      const rest = lineDiff(text, back);
      assert.ok(back === text || (rest.inserted.length === 1 && rest.changed.length === 0 && back.split('\n')[rest.inserted[0] - 1] === ''), `${name}: ${JSON.stringify(rest)}`);
      assert.deepStrictEqual(mod.requires, GoModFile.parse(text).requires, `${name}: requires untouched`);
    }
  });

  it('reads require and replace in single-line and block form, with // indirect', () => {
    const mod = GoModFile.parse(
      [
        'module example.com/m',
        '',
        'require a.com/x v1.0.0',
        'require (',
        '\tb.com/y v1.2.3 // indirect',
        '\t"c.com/z" v0.1.0 // a comment',
        ')',
        'replace a.com/x => ../x',
        'replace (',
        '\tb.com/y v1.2.3 => fork.com/y v1.2.4 // why',
        ')',
        '',
      ].join('\n'),
    );
    assert.strictEqual(mod.module, 'example.com/m');
    assert.deepStrictEqual(mod.requires.map((r) => [r.line, r.module, r.version, r.indirect, r.inBlock]), [
      [3, 'a.com/x', 'v1.0.0', false, false],
      [5, 'b.com/y', 'v1.2.3', true, true],
      [6, 'c.com/z', 'v0.1.0', false, true],
    ]);
    assert.deepStrictEqual(mod.replaces.map((r) => [r.line, r.module, r.moduleVersion, r.target, r.targetVersion, r.inBlock]), [
      [8, 'a.com/x', null, '../x', null, false],
      [10, 'b.com/y', 'v1.2.3', 'fork.com/y', 'v1.2.4', true],
    ]);
  });

  it('a fork goes into the existing replace block (sorted), an update changes only that line, removal removes only it', () => {
    const { name, text } = samples.find((s) => /moby-v22/.test(s.name)) ?? assert.fail('moby v22 sample');
    const mod = GoModFile.parse(text, name);
    const required = mod.requires.find((r) => r.module === 'github.com/docker/go-units') ?? assert.fail('go-units required');
    const [added] = mod.setReplace(required.module, 'github.com/me/go-units', 'v0.5.1-0.20240101000000-abcdefabcdef');
    const afterAdd = mod.toString();
    assert.deepStrictEqual(lineDiff(text, afterAdd), { changed: [], inserted: [added], removed: [] });
    const lines = afterAdd.split('\n');
    assert.strictEqual(lines[added - 1], '\tgithub.com/docker/go-units => github.com/me/go-units v0.5.1-0.20240101000000-abcdefabcdef');
    // Sorted in place: the previous entry sorts before, the next after.
    assert.ok(lines[added - 2].trim() < lines[added - 1].trim() && lines[added].trim() > lines[added - 1].trim(), `${lines[added - 2]} / ${lines[added]}`);
    mod.setReplace(required.module, 'github.com/me/go-units', 'v0.5.2');
    assert.deepStrictEqual(lineDiff(afterAdd, mod.toString()), { changed: [added], inserted: [], removed: [] });
    assert.deepStrictEqual(mod.removeReplace(required.module), [added]);
    assert.strictEqual(mod.toString(), text, 'removing the fork gives the original bytes back');
  });

  it('updating a replace that upstream has keeps its trailing comment; reset to its old target is byte-identical', () => {
    const { text } = samples.find((s) => /moby-v22/.test(s.name)) ?? assert.fail('moby v22 sample');
    const mod = GoModFile.parse(toCrlf(text));
    const r = mod.findReplaces('github.com/rexray/gocsi')[0] ?? assert.fail('gocsi replaced upstream');
    mod.setReplace(r.module, 'github.com/me/gocsi', 'v1.2.4');
    assert.deepStrictEqual(lineDiff(toCrlf(text), mod.toString()).changed, [r.line]);
    assert.strictEqual(mod.lineText(r.line), 'replace github.com/rexray/gocsi => github.com/me/gocsi v1.2.4');
    mod.setReplace(r.module, r.target, r.targetVersion);
    assert.strictEqual(mod.toString(), toCrlf(text));
  });

  it('with no replace at all, adds one single line at the end after a blank line, keeping the file ending', () => {
    const { name, text } = samples.find((s) => /docker-cli-v23/.test(s.name)) ?? assert.fail('docker/cli v23 sample');
    for (const input of [text, toCrlf(text), text.replace(/\n+$/, '')]) {
      const mod = GoModFile.parse(input, name);
      assert.strictEqual(mod.replaces.length, 0);
      const [line] = mod.setReplace('github.com/moby/swarmkit/v2', 'github.com/me/swarmkit/v2', 'v2.0.0-20240101000000-abcdefabcdef');
      const out = mod.toString();
      assert.strictEqual(mod.lineText(line), 'replace github.com/moby/swarmkit/v2 => github.com/me/swarmkit/v2 v2.0.0-20240101000000-abcdefabcdef');
      assert.strictEqual(out.endsWith('\n'), input.endsWith('\n'), 'final newline as before');
      assert.ok(out.startsWith(input.replace(/\r?\n?$/, '')), 'everything before is untouched');
      mod.removeReplace('github.com/moby/swarmkit/v2');
      assert.deepStrictEqual(mod.replaces, []);
    }
  });

  it('a replace needs a version unless it is a local directory; the lint reports the missing one', () => {
    const mod = GoModFile.parse('module m\nrequire a.com/x v1.0.0\nrequire a.com/x v1.0.1\nreplace a.com/x => fork.com/x\nreplace b.com/y => ./y\nfrobnicate\n', 'go.mod');
    assert.throws(() => mod.setReplace('a.com/x', 'fork.com/x', null), /needs a version/);
    assert.doesNotThrow(() => GoModFile.parse('').setReplace('a.com/x', '../x', null));
    const problems = lintGoMod(mod);
    assert.deepStrictEqual(problems.map((p) => [p.file, p.line, p.severity]), [
      ['go.mod', 3, 'error'],
      ['go.mod', 4, 'error'],
      ['go.mod', 6, 'error'],
    ]);
    assert.match(problems[0].message, /required twice \(first on line 2\)/);
    assert.match(problems[1].message, /no version/);
    assert.match(problems[2].message, /unknown directive 'frobnicate'/);
  });

  it('reports an unclosed block and a malformed replace, keeping both verbatim', () => {
    const text = 'module m\nreplace a => \nrequire (\n\ta.com/x v1\n';
    const mod = GoModFile.parse(text, 'go.mod');
    assert.deepStrictEqual(mod.problems.map((p) => p.line), [2, 3]);
    assert.strictEqual(mod.toString(), text);
  });
});
