import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VendorGitError } from '../../src/core/vendor';
import { forkInText, lineReplacement, resetInText } from '../../src/core/vendor/documentEdit';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

function apply(before: string, r: { start: number; end: number; text: string } | null): string {
  return r === null ? before : before.slice(0, r.start) + r.text + before.slice(r.end);
}

describe('vendor edits on editor text', () => {
  describe('lineReplacement', () => {
    it('is null for equal texts and replaces only the differing whole lines', () => {
      assert.strictEqual(lineReplacement('a\nb\n', 'a\nb\n'), null);
      const before = 'one\r\ntwo\r\nthree\r\n';
      const r = lineReplacement(before, 'one\r\nTWO 2\r\nthree\r\n')!;
      assert.deepStrictEqual(r, { start: 5, end: 10, text: 'TWO 2\r\n' });
      // An added last line in a file without a final newline touches the old last line too (it gains a newline).
      assert.deepStrictEqual(lineReplacement('a\nb', 'a\nb\nc'), { start: 2, end: 3, text: 'b\nc' });
    });

    it('turns random texts into each other exactly, at line boundaries (fuzz)', () => {
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const line = () => ['x', 'y', 'github.com/a/b v1', '', '# c'][rand(5)] + ['\n', '\r\n', '\n'][rand(3)];
      const text = () => Array.from({ length: rand(8) }, line).join('') + (rand(2) ? 'tail' : '');
      for (let i = 0; i < 2000; i++) {
        const before = text();
        const after = rand(3) === 0 ? text() : before.split('\n').map((l) => (rand(4) === 0 ? `${l}!` : l)).join('\n');
        const r = lineReplacement(before, after);
        assert.strictEqual(apply(before, r), after, JSON.stringify({ before, after }));
        if (r) {
          assert.ok(r.start === 0 || before[r.start - 1] === '\n', 'starts at a line start');
          assert.ok(r.end === before.length || before[r.end - 1] === '\n', 'ends at a line end');
        }
      }
    });
  });

  describe('forkInText and resetInText against real git repositories', () => {
    let dir: string;
    let fork: string;
    let commit: string;
    let work: string;
    const conf = '# deps\ngithub.com/a/b   v1.0.0   # pinned\ngithub.com/c/d v2\n';

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-docedit-'));
      fork = path.join(dir, 'fork');
      fs.mkdirSync(fork);
      git(fork, 'init', '-q');
      fs.writeFileSync(path.join(fork, 'f'), 'x');
      git(fork, 'add', '-A');
      git(fork, 'commit', '-q', '-m', 'x');
      git(fork, 'branch', 'topic');
      commit = git(fork, 'rev-parse', 'topic');
      // A checkout whose upstream remote has the plain vendor.conf, and whose own copy points c/d at a fork.
      const upstream = path.join(dir, 'upstream');
      fs.mkdirSync(upstream);
      git(upstream, 'init', '-q');
      fs.writeFileSync(path.join(upstream, 'vendor.conf'), conf);
      git(upstream, 'add', '-A');
      git(upstream, 'commit', '-q', '-m', 'up');
      work = path.join(dir, 'work');
      git(dir, 'clone', '-q', '-o', 'upstream', upstream, work);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('pins a branch of a reachable fork to its commit, on that line only, keeping the comment and alignment', async () => {
      const r = await forkInText('vendor.conf', conf, 'vendor.conf', 'github.com/a/b', { repo: fork, ref: 'topic' });
      assert.deepStrictEqual(r.changedLines, [2]);
      assert.strictEqual(r.resolved?.commit, commit);
      const lines = r.text.split('\n');
      assert.match(lines[1], new RegExp(`^github\\.com/a/b +${commit} +${fork.replace(/[/.]/g, '\\$&')} +# pinned$`));
      assert.deepStrictEqual([lines[0], lines[2]], ['# deps', 'github.com/c/d v2']);
    });

    it('refuses an unknown ref or a module not listed, with a clear message', async () => {
      await assert.rejects(forkInText('vendor.conf', conf, 'vendor.conf', 'github.com/a/b', { repo: fork, ref: 'nope' }), (e: Error) => e instanceof VendorGitError && /no branch or tag 'nope'/.test(e.message));
      await assert.rejects(forkInText('vendor.conf', conf, 'x/vendor.conf', 'github.com/zz/zz', { repo: fork }), /github\.com\/zz\/zz is not listed in x\/vendor\.conf/);
    });

    it('resets a text from the upstream remote copy of its file', async () => {
      const mine = conf.replace('github.com/c/d v2', `github.com/c/d ${commit} ${fork}`);
      const r = await resetInText(work, 'vendor.conf', `${mine}extra unsaved line is kept\n`, path.join(work, 'vendor.conf'), 'github.com/c/d');
      assert.strictEqual(r.upstream.revision, 'upstream/main');
      assert.deepStrictEqual(r.changedLines, [3]);
      assert.strictEqual(r.text, `${conf}extra unsaved line is kept\n`);
    });

    it('writes a go.mod replace with a given version offline, and removes it on reset when upstream has none', async () => {
      const mod = 'module m\n\nrequire github.com/a/b v1.0.0\n';
      const r = await forkInText('go.mod', mod, 'go.mod', 'github.com/a/b', { repo: 'https://github.com/me/b', version: 'v1.0.1', offline: true });
      assert.strictEqual(r.text, `${mod}\nreplace github.com/a/b => github.com/me/b v1.0.1\n`);
      assert.strictEqual(r.warnings.length, 1);
      const upstream = path.join(dir, 'upstream');
      fs.writeFileSync(path.join(upstream, 'go.mod'), mod);
      git(upstream, 'add', 'go.mod');
      git(upstream, 'commit', '-q', '-m', 'mod');
      git(work, 'fetch', '-q', 'upstream');
      const back = await resetInText(work, 'go.mod', r.text, path.join(work, 'go.mod'), 'github.com/a/b');
      assert.deepStrictEqual(back.removedLines, [5]);
      assert.strictEqual(back.text, `${mod}\n`);
    });
  });
});
