import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { describeForkCommit, findUpstreamBranch, readUpstreamFile, resolveRemoteRef, VendorGitError } from '../../src/core/vendor';
import { run } from '../services/processes';
import { makeRigDir, removeRigDir } from '../services/tempRoot';
import { SAMPLES } from '../unit/paths';
import { currentRig } from './rigHooks';

const IDENTITY = ['-c', 'user.name=Fork', '-c', 'user.email=fork@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false'];

/** The test calls git by hand to build its fixtures and to work out expectations independently of the code under test. */
function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return run('git', [...IDENTITY, ...args], { cwd, env: { ...process.env, ...env } }).then((s) => s.trim());
}

/** Commits with a fixed committer date in a non-UTC zone, so the pseudo-version must convert it. */
async function commitAt(dir: string, file: string, content: string, date: string): Promise<string> {
  fs.writeFileSync(path.join(dir, file), content);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', `${file} at ${date}`], { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: '2001-01-01T00:00:00Z' });
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Go's pseudo-version, from git's own formatting of the committer time in UTC and a 12-digit abbreviation. */
async function expectedPseudo(dir: string, commit: string, prefix: string): Promise<string> {
  const time = await git(dir, ['log', '-1', '--date=format-local:%Y%m%d%H%M%S', '--format=%cd', commit], { TZ: 'UTC' });
  const hash = await git(dir, ['rev-parse', '--short=12', commit]);
  return `${prefix}${time}-${hash}`;
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), cwd };
  return { code: await main(argv, io), out, err };
}

describe('vendored dependencies against real git repositories', function () {
  this.timeout(120_000);
  let dir: string;
  let forkWork: string;
  let forkUrl: string;
  let forkBare: string;
  const c: Record<string, string> = {};

  before(async () => {
    dir = makeRigDir('vendor');
    forkWork = path.join(dir, 'fork-work');
    fs.mkdirSync(forkWork);
    await git(forkWork, ['init', '-q']);
    c.root = await commitAt(forkWork, 'go.mod', 'module example.com/fork\n', '2020-02-29T23:30:00+05:30');
    await git(forkWork, ['branch', 'untagged']);
    c.release = await commitAt(forkWork, 'a.go', 'package fork\n', '2021-06-01T10:00:00-07:00');
    await git(forkWork, ['tag', 'v1.2.0']);
    await git(forkWork, ['tag', 'v1.9']); // not canonical semver: Go ignores it
    await git(forkWork, ['tag', 'v2.0.0']); // wrong major for a path without /v2: ignored
    await git(forkWork, ['checkout', '-q', '-b', 'feature']);
    c.feature = await commitAt(forkWork, 'b.go', 'package fork // feature\n', '2022-12-31T23:59:59-01:00');
    await git(forkWork, ['checkout', '-q', 'main']);
    c.rc = await commitAt(forkWork, 'c.go', 'package fork // rc\n', '2023-03-03T03:03:03Z');
    await git(forkWork, ['tag', '-a', '-m', 'release candidate', 'v1.3.0-rc.1']);
    c.main = await commitAt(forkWork, 'd.go', 'package fork // main\n', '2024-07-15T08:09:10+02:00');
    const rig = currentRig();
    forkBare = path.join(rig.git.baseDir, `${path.basename(dir)}-fork.git`);
    await git(dir, ['clone', '-q', '--bare', forkWork, forkBare]);
    forkUrl = rig.git.url(`${path.basename(dir)}-fork`);
  });

  after(() => {
    if (forkBare) fs.rmSync(forkBare, { recursive: true, force: true });
    if (dir) removeRigDir(dir);
  });

  it('resolves branches and tags with ls-remote over git://, showing the ref and its commit', async () => {
    assert.deepStrictEqual(await resolveRemoteRef(forkUrl, 'main'), { url: forkUrl, ref: 'main', refName: 'refs/heads/main', commit: c.main, kind: 'branch' });
    const tag = await resolveRemoteRef(forkUrl, 'v1.3.0-rc.1');
    assert.deepStrictEqual([tag.refName, tag.commit, tag.kind], ['refs/tags/v1.3.0-rc.1', c.rc, 'tag'], 'an annotated tag resolves to its commit');
    await assert.rejects(resolveRemoteRef(forkUrl, 'no-such-branch'), (e: Error) => e instanceof VendorGitError && /no branch or tag 'no-such-branch' in git:\/\//.test(e.message));
    await assert.rejects(resolveRemoteRef(`${forkUrl.replace(/[^/]+\.git$/, '')}missing.git`, 'main'), (e: Error) => e instanceof VendorGitError && /cannot reach repository git:\/\/.*missing\.git/.test(e.message));
  });

  it("works out Go's version for each kind of commit: no tag, after a release, after a prerelease, and on a tag", async () => {
    const cases: Array<[string, string]> = [
      ['untagged', await expectedPseudo(forkWork, c.root, 'v0.0.0-')],
      ['feature', await expectedPseudo(forkWork, c.feature, 'v1.2.1-0.')],
      ['main', await expectedPseudo(forkWork, c.main, 'v1.3.0-rc.1.0.')],
      ['v1.2.0', 'v1.2.0'],
    ];
    for (const [ref, version] of cases) {
      const got = await describeForkCommit(forkUrl, ref, 'example.com/fork');
      assert.strictEqual(got.version, version, ref);
    }
    // The same through a local bare repository, for a /v2 module path: only v2 tags count (v2.0.0, not v1.2.0),
    // and with none reachable the base is v2.0.0.
    assert.strictEqual((await describeForkCommit(forkBare, 'feature', 'example.com/fork/v2')).version, await expectedPseudo(forkWork, c.feature, 'v2.0.1-0.'));
    assert.strictEqual((await describeForkCommit(forkBare, 'untagged', 'example.com/fork/v2')).version, await expectedPseudo(forkWork, c.root, 'v2.0.0-'));
    const bySha = await describeForkCommit(forkUrl, c.rc, 'example.com/fork');
    assert.strictEqual(bySha.version, 'v1.3.0-rc.1');
  });

  it("finds upstream from git's own knowledge: 'upstream' before 'origin', the tracked branch, else the remote's HEAD", async () => {
    const lonely = path.join(dir, 'lonely');
    fs.mkdirSync(lonely);
    await git(lonely, ['init', '-q']);
    await assert.rejects(findUpstreamBranch(lonely), /has no remote named 'upstream' or 'origin'/);
    const clone = path.join(dir, 'clone-origin');
    await git(dir, ['clone', '-q', '--branch', 'feature', forkBare, clone]);
    assert.deepStrictEqual(await findUpstreamBranch(clone), { remote: 'origin', branch: 'feature', revision: 'origin/feature' }, 'the tracked branch of origin');
    const theirs = await readUpstreamFile(clone, path.join(clone, 'b.go'));
    assert.strictEqual(theirs.text, 'package fork // feature\n');
    await git(clone, ['remote', 'add', 'upstream', forkBare]);
    await git(clone, ['fetch', '-q', 'upstream']);
    await git(clone, ['remote', 'set-head', 'upstream', 'main']);
    assert.deepStrictEqual(await findUpstreamBranch(clone), { remote: 'upstream', branch: 'main', revision: 'upstream/main' }, "upstream's default branch");
    await assert.rejects(readUpstreamFile(clone, path.join(clone, 'no-such-file')), /no-such-file does not exist in upstream\/main/);
  });

  it('CLI: fork a dependency online in vendor.conf and vendor.mod, then reset both to upstream', async () => {
    const rig = currentRig();
    const conf = fs.readFileSync(path.join(SAMPLES, 'docker-cli-v18.09.9-vendor.conf'), 'utf8');
    const mod = fs.readFileSync(path.join(SAMPLES, 'moby-v22.06.0-beta.0-vendor.mod'), 'utf8');
    const upstreamName = `${path.basename(dir)}-upstream`;
    const upstreamUrl = await rig.git.createRepository(upstreamName, { 'vendor.conf': conf, 'vendor.mod': mod, 'hack/make.sh': '#!/bin/sh\n' });
    const work = path.join(dir, 'checkout');
    try {
      await git(dir, ['clone', '-q', upstreamUrl, work]);
      await git(work, ['remote', 'add', 'upstream', upstreamUrl]);
      await git(work, ['fetch', '-q', 'upstream']);
      await git(work, ['remote', 'set-head', 'upstream', '--auto']);

      const forked = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', forkUrl, '--ref', 'main'], work);
      assert.strictEqual(forked.code, 0, forked.err);
      assert.match(forked.out, new RegExp(`main \\(refs/heads/main\\) is commit ${c.main}`));
      const version = await expectedPseudo(forkWork, c.main, 'v1.3.0-rc.1.0.');
      const confAfter = fs.readFileSync(path.join(work, 'vendor.conf'), 'utf8');
      const confLine = conf.split('\n').findIndex((l) => l.startsWith('github.com/docker/go-units ')) + 1;
      const confDiff = conf.split('\n').map((l, i) => (l === confAfter.split('\n')[i] ? 0 : i + 1)).filter(Boolean);
      assert.deepStrictEqual(confDiff, [confLine]);
      assert.strictEqual(confAfter.split('\n')[confLine - 1], `github.com/docker/go-units                          ${c.main} ${forkUrl} # v0.3.3`);
      const modAfter = fs.readFileSync(path.join(work, 'vendor.mod'), 'utf8');
      assert.ok(modAfter.includes(`\tgithub.com/docker/go-units => 127.0.0.1/${path.basename(dir)}-fork ${version}\n`), modAfter.split('\n').filter((l) => l.includes('go-units')).join('\n'));
      assert.strictEqual(modAfter.split('\n').length, mod.split('\n').length + 1);

      // Commit the fork, then change another line locally: reset must take upstream's entry, not HEAD's, and leave the rest.
      await git(work, ['commit', '-q', '-am', 'fork go-units']);
      const otherLine = conf.split('\n').findIndex((l) => l.startsWith('github.com/docker/go-connections ')) + 1;
      const locallyEdited = confAfter.split('\n').map((l, i) => (i === otherLine - 1 ? l.replace('# v0.4.0', '# local note') : l)).join('\n');
      fs.writeFileSync(path.join(work, 'vendor.conf'), locallyEdited);
      const reset = await cli(['vendor', 'reset', 'github.com/docker/go-units'], work);
      assert.strictEqual(reset.code, 0, reset.err);
      assert.match(reset.out, /^as in upstream\/main:/);
      assert.strictEqual(fs.readFileSync(path.join(work, 'vendor.mod'), 'utf8'), mod, 'vendor.mod back to upstream byte for byte');
      const confReset = fs.readFileSync(path.join(work, 'vendor.conf'), 'utf8').split('\n');
      assert.strictEqual(confReset[confLine - 1], conf.split('\n')[confLine - 1]);
      assert.match(confReset[otherLine - 1], /# local note$/, 'the local edit of another line is kept');

      const unknown = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', forkUrl, '--ref', 'nope'], work);
      assert.strictEqual(unknown.code, 1);
      assert.match(unknown.err, /no branch or tag 'nope' in git:\/\//);
      const unreachable = await cli(['vendor', 'fork', 'github.com/docker/go-units', '--repo', 'git://127.0.0.1:1/none.git'], work);
      assert.strictEqual(unreachable.code, 1);
      assert.match(unreachable.err, /cannot reach repository git:\/\/127\.0\.0\.1:1\/none\.git.*the fork's version cannot be worked out/);
      assert.strictEqual(fs.readFileSync(path.join(work, 'vendor.mod'), 'utf8'), mod, 'failed forks write nothing');
    } finally {
      fs.rmSync(path.join(rig.git.baseDir, `${upstreamName}.git`), { recursive: true, force: true });
    }
  });
});
