import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  addForkToClone,
  checkoutRef,
  cloneRepository,
  CloneProgressEvent,
  createBranchFromUpstreamTag,
  fetchUpstream,
  GitOperationError,
  pushToFork,
  rebaseOntoUpstream,
  repositoryStatus,
} from '../../src/core/git';
import { freePort } from '../services/processes';
import { generateHistory, git, writeFiles } from '../services/gitHistory';
import { runCli } from './cliHelpers';
import { currentRig } from './rigHooks';

/** Expects `p` to reject with a GitOperationError of `kind` whose message matches `message`. */
async function rejectsWith(p: Promise<unknown>, kind: string, message: RegExp): Promise<GitOperationError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GitOperationError, `not a GitOperationError: ${e instanceof Error ? e.stack : e}`);
    assert.strictEqual(e.kind, kind, e.message);
    assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a '${kind}' failure`);
}

/** Processes whose command line names `dir` (a git left running after a cancel would). */
function gitProcessesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir) && pid !== String(process.pid)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const cli = runCli;

describe('clone a Docker repository as a fork (git daemon on loopback)', function () {
  this.timeout(120_000);
  const id = randomBytes(4).toString('hex');
  let root: string;
  let upstreamUrl: string;
  let forkUrl: string;
  let forkBare: string;
  let bigUrl: string;
  /** Commits of the upstream: c1 (tag v1.0.0, annotated), c2 (v1.1.0, only upstream has it), c3 on main; r1 on release/1.0. */
  const c: Record<string, string> = {};
  let n = 0;
  const target = () => path.join(root, 'clones', `c${++n}`);

  before(async function () {
    this.timeout(300_000);
    const rig = currentRig();
    root = path.join(rig.root, `clone-${id}`);
    fs.mkdirSync(path.join(root, 'clones'), { recursive: true });
    const base = rig.git.baseDir;
    // Upstream: a small moby-shaped tree (hack/make.sh, cmd/dockerd) with real commits, tags and a release branch.
    const work = path.join(root, 'upstream-work');
    await git(root, 'init', '-q', work);
    writeFiles(work, { 'hack/make.sh': '#!/bin/sh\necho bundles\n', Makefile: 'binary:\n\thack/make.sh binary\n', 'cmd/dockerd/main.go': 'package main\n', 'README.md': 'one\n' });
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'c1');
    c.c1 = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'tag', '-a', '-m', 'release 1.0.0', 'v1.0.0');
    await git(work, 'checkout', '-q', '-b', 'release/1.0');
    writeFiles(work, { 'README.md': 'one, patched\n' });
    await git(work, 'commit', '-q', '-am', 'r1');
    c.r1 = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'checkout', '-q', 'main');
    writeFiles(work, { 'README.md': 'two\n' });
    await git(work, 'commit', '-q', '-am', 'c2');
    c.c2 = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'tag', 'v1.1.0');
    const upstreamBare = path.join(base, `upstream-${id}.git`);
    await git(root, 'clone', '-q', '--bare', work, upstreamBare);
    // The fork: made from the upstream at c1 (so it lacks v1.1.0), plus a branch of the user's own.
    forkBare = path.join(base, `fork-${id}.git`);
    await git(root, 'init', '-q', '--bare', forkBare);
    await git(upstreamBare, 'push', '-q', forkBare, `${c.c1}:refs/heads/main`, 'refs/tags/v1.0.0', 'refs/heads/release/1.0');
    const forkWork = path.join(root, 'fork-work');
    await git(root, 'clone', '-q', forkBare, forkWork);
    await git(forkWork, 'checkout', '-q', '-b', 'feature');
    writeFiles(forkWork, { 'feature.txt': 'mine\n' });
    await git(forkWork, 'add', '-A');
    await git(forkWork, 'commit', '-q', '-m', 'feature');
    c.feature = await git(forkWork, 'rev-parse', 'HEAD');
    await git(forkWork, 'push', '-q', 'origin', 'feature');
    // Upstream moves on after the fork was made.
    writeFiles(work, { 'README.md': 'three\n' });
    await git(work, 'commit', '-q', '-am', 'c3');
    c.c3 = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'push', '-q', upstreamBare, 'main', 'v1.1.0');
    // Partial clones need the server to accept filters (GitHub does; git's default is off).
    for (const bare of [upstreamBare, forkBare]) await git(bare, 'config', 'uploadpack.allowFilter', 'true');
    upstreamUrl = rig.git.url(`upstream-${id}`);
    forkUrl = rig.git.url(`fork-${id}`);
    // Large enough to be cancelled mid-transfer on loopback: 2,400 random 20 KiB files in 120 commits (~47 MiB);
    // few files, because creating files is what is slow on this machine, not the transfer.
    await generateHistory(path.join(base, `big-${id}.git`), 120, 20, 20 * 1024);
    bigUrl = rig.git.url(`big-${id}`);
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
    for (const name of [`upstream-${id}`, `fork-${id}`, `big-${id}`]) fs.rmSync(path.join(currentRig().git.baseDir, `${name}.git`), { recursive: true, force: true });
  });

  describe('cloneRepository', () => {
    it('clones a branch: that branch checked out, the source as origin (role upstream)', async () => {
      const dir = target();
      const r = await cloneRepository({ source: upstreamUrl, dir, ref: 'release/1.0' });
      assert.strictEqual(r.directory, dir);
      assert.deepStrictEqual(r.head, { commit: c.r1, branch: 'release/1.0', detached: false, tags: [] });
      assert.deepStrictEqual(r.remotes.map((x) => [x.name, x.fetchUrl, x.role]), [['origin', upstreamUrl, 'upstream']]);
      assert.strictEqual(await git(dir, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/release/1.0');
    });

    it('clones a tag detached at the tagged commit (annotated tag peeled)', async () => {
      const r = await cloneRepository({ source: upstreamUrl, dir: target(), ref: 'v1.0.0' });
      assert.strictEqual(r.head.commit, c.c1);
      assert.strictEqual(r.head.detached, true);
      assert.deepStrictEqual(r.head.tags, ['v1.0.0']);
    });

    it('clones an exact commit (full and abbreviated hash) detached', async () => {
      const full = await cloneRepository({ source: upstreamUrl, dir: target(), ref: c.c2 });
      assert.deepStrictEqual([full.head.commit, full.head.detached, full.head.tags], [c.c2, true, ['v1.1.0']]);
      const short = await cloneRepository({ source: upstreamUrl, dir: target(), ref: c.r1.slice(0, 10) });
      assert.deepStrictEqual([short.head.commit, short.head.detached], [c.r1, true]);
    });

    it('with a fork: the fork is origin, the source upstream; a fork branch is checked out tracking origin', async () => {
      const dir = target();
      const r = await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir, ref: 'feature' });
      assert.deepStrictEqual(r.remotes.map((x) => [x.name, x.fetchUrl, x.role]).sort(), [['origin', forkUrl, 'fork'], ['upstream', upstreamUrl, 'upstream']]);
      assert.deepStrictEqual([r.head.branch, r.head.commit], ['feature', c.feature]);
      assert.strictEqual(await git(dir, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/feature');
      // The upstream was fetched with its tags, including one the fork never had.
      assert.strictEqual(await git(dir, 'rev-parse', 'refs/remotes/upstream/main'), c.c3);
      assert.strictEqual(await git(dir, 'rev-parse', 'v1.1.0^{commit}'), c.c2);
      assert.strictEqual(await git(dir, 'symbolic-ref', 'refs/remotes/upstream/HEAD'), 'refs/remotes/upstream/main');
    });

    it('with a fork: a tag only the upstream has is checked out detached; blob:none makes both remotes promisors', async () => {
      const dir = target();
      const r = await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir, ref: 'v1.1.0', filter: 'blob:none' });
      assert.deepStrictEqual([r.head.commit, r.head.detached], [c.c2, true]);
      assert.deepStrictEqual(r.remotes.map((x) => [x.name, x.fetchUrl, x.pushUrl, x.role]).sort(), [['origin', forkUrl, forkUrl, 'fork'], ['upstream', upstreamUrl, upstreamUrl, 'upstream']]);
      assert.strictEqual(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), 'two\n');
      assert.strictEqual(await git(dir, 'config', 'remote.origin.partialclonefilter'), 'blob:none');
      assert.strictEqual(await git(dir, 'config', 'remote.upstream.promisor'), 'true');
      // Old blobs were not fetched: the README of c1 is missing until asked for.
      const missing = await git(dir, 'rev-list', '--objects', '--missing=print', '--all');
      assert.match(missing, /^\?[0-9a-f]{40}$/m);
    });

    it('reports progress (phase and percent) and a clone of a large history can be cancelled: no folder left', async () => {
      const events: CloneProgressEvent[] = [];
      const done = await cloneRepository({ source: bigUrl, dir: target(), onProgress: (e) => events.push(e) });
      assert.ok(events.some((e) => e.step === 'clone' && e.phase === 'Receiving objects' && e.percent >= 0 && e.percent <= 100), JSON.stringify(events.slice(0, 5)));
      assert.ok(events.some((e) => e.phase === 'Receiving objects' && e.percent === 100));
      assert.ok(done.head.commit);

      const dir = path.join(root, 'clones', 'cancelled', 'deep');
      const controller = new AbortController();
      let firstAt = 0;
      const started = Date.now();
      const clone = cloneRepository({ source: bigUrl, dir, signal: controller.signal, onProgress: () => (firstAt ||= Date.now(), controller.abort()) });
      await rejectsWith(clone, 'cancelled', /cancelled/i);
      assert.ok(firstAt > 0, 'a progress event came before the clone ended');
      assert.ok(Date.now() - started < 30_000);
      assert.strictEqual(fs.existsSync(path.join(root, 'clones', 'cancelled')), false, 'the folders the clone made are gone');
      assert.deepStrictEqual(gitProcessesIn(dir), [], 'git was killed, not left running');
    });

    it('cancel into an existing empty folder leaves the folder, empty', async () => {
      const dir = target();
      fs.mkdirSync(dir);
      const controller = new AbortController();
      await rejectsWith(cloneRepository({ source: bigUrl, dir, signal: controller.signal, onProgress: () => controller.abort() }), 'cancelled', /cancelled/i);
      assert.deepStrictEqual(fs.readdirSync(dir), []);
    });
  });

  describe('bad input: a clear message saying which, no partial clone', () => {
    it('a wrong URL', async () => {
      const dir = target();
      await rejectsWith(cloneRepository({ source: currentRig().git.url(`nope-${id}`), dir }), 'not-found', /No git repository at git:\/\/127\.0\.0\.1:\d+\/nope-/);
      assert.strictEqual(fs.existsSync(dir), false);
      await rejectsWith(cloneRepository({ source: '--upload-pack=touch /tmp/x', dir }), 'invalid-input', /is not a repository URL/);
    });

    it('a ref that does not exist (checked before anything is written), a commit that does not exist (after)', async () => {
      const dir = target();
      await rejectsWith(cloneRepository({ source: upstreamUrl, fork: forkUrl, dir, ref: 'v9.9.9' }), 'unknown-ref', /No branch or tag 'v9\.9\.9' in git:\/\/.*fork-.* or git:\/\/.*upstream-/);
      assert.strictEqual(fs.existsSync(dir), false);
      await rejectsWith(cloneRepository({ source: upstreamUrl, dir, ref: 'deadbeef'.repeat(5) }), 'unknown-ref', /No branch, tag or commit 'deadbeef/);
      assert.strictEqual(fs.existsSync(dir), false);
    });

    it('an existing non-empty target folder: refused before anything runs, its files untouched', async () => {
      const dir = target();
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
      // An unreachable source proves nothing ran: the folder check comes first.
      await rejectsWith(cloneRepository({ source: 'git://127.0.0.1:1/none.git', dir }), 'target-not-empty', /already exists and is not empty/);
      assert.deepStrictEqual(fs.readdirSync(dir), ['precious.txt']);
    });

    it('no network: a host name that does not resolve; an unreachable host: a closed loopback port', async () => {
      await rejectsWith(cloneRepository({ source: 'git://no-such-host.invalid/moby.git', dir: target() }), 'no-network', /Cannot resolve no-such-host\.invalid/);
      const port = await freePort();
      const dir = target();
      await rejectsWith(cloneRepository({ source: `git://127.0.0.1:${port}/moby.git`, dir }), 'unreachable', new RegExp(`Cannot connect to 127\\.0\\.0\\.1:${port}`));
      await rejectsWith(cloneRepository({ source: upstreamUrl, fork: `git://127.0.0.1:${port}/fork.git`, dir, ref: 'main' }), 'unreachable', /Cannot connect/);
      assert.strictEqual(fs.existsSync(dir), false);
    });

    it('authentication failure: the rig\'s real sshd refuses a key it does not know', async () => {
      const ssh = currentRig().ssh;
      const stranger = path.join(root, 'stranger_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
      const saved = process.env.GIT_SSH_COMMAND;
      // The ssh client setup (which key, no prompts, this server's host key) goes through git's own variable, as a user's would.
      process.env.GIT_SSH_COMMAND = `ssh -i ${stranger} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${ssh.knownHostsFile}`;
      try {
        const dir = target();
        await rejectsWith(cloneRepository({ source: `ssh://${ssh.user}@127.0.0.1:${ssh.port}${forkBare}`, dir }), 'auth', /Authentication to 127\.0\.0\.1:\d+ failed/);
        assert.strictEqual(fs.existsSync(dir), false);
      } finally {
        if (saved === undefined) delete process.env.GIT_SSH_COMMAND;
        else process.env.GIT_SSH_COMMAND = saved;
      }
    });
  });

  describe('an existing clone', () => {
    it('addForkToClone renames origin to upstream and adds the fork as origin, or adds it as `fork` when declined', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, dir: target() })).directory;
      const added = await addForkToClone(dir, forkUrl, { renameOriginToUpstream: true });
      assert.ok(added.changed);
      assert.deepStrictEqual(added.remotes.map((x) => [x.name, x.fetchUrl, x.role]).sort(), [['origin', forkUrl, 'fork'], ['upstream', upstreamUrl, 'upstream']]);
      assert.strictEqual(await git(dir, 'rev-parse', 'refs/remotes/origin/feature'), c.feature);
      assert.deepStrictEqual(added.commands.map((x) => x.argv.slice(0, 3)), [['git', 'remote', 'rename'], ['git', 'remote', 'add'], ['git', 'fetch', 'origin']]);
      assert.strictEqual((await addForkToClone(dir, forkUrl, { renameOriginToUpstream: true })).changed, false);

      const declined = (await cloneRepository({ source: upstreamUrl, dir: target() })).directory;
      const kept = await addForkToClone(declined, forkUrl, { renameOriginToUpstream: false });
      assert.deepStrictEqual(kept.remotes.map((x) => [x.name, x.role]).sort(), [['fork', 'fork'], ['origin', 'upstream']]);
    });

    it('addForkToClone puts the remotes back when the fork cannot be reached', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, dir: target() })).directory;
      const port = await freePort();
      await rejectsWith(addForkToClone(dir, `git://127.0.0.1:${port}/fork.git`, { renameOriginToUpstream: true }), 'unreachable', /Cannot connect/);
      assert.strictEqual(await git(dir, 'remote'), 'origin');
      assert.strictEqual(await git(dir, 'remote', 'get-url', 'origin'), upstreamUrl);
    });

    it('repositoryStatus: kind and era, branch, dirty files, remotes with roles, ahead/behind upstream', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir: target(), ref: 'main' })).directory;
      let s = await repositoryStatus(path.join(dir, 'cmd'));
      assert.strictEqual(s.root, dir);
      assert.deepStrictEqual([s.kind, s.era, s.eraLabel], ['moby', 'moby-hack', 'moby 17.06–19.03, hack/make.sh in the dev container']);
      assert.deepStrictEqual([s.head.branch, s.head.commit], ['main', c.c1]);
      assert.deepStrictEqual([s.forkRemote, s.upstreamRemote], ['origin', 'upstream']);
      // The fork's main is at c1; upstream/main has c2 and c3 on top.
      assert.deepStrictEqual(s.upstreamComparison, { ref: 'upstream/main', ahead: 0, behind: 2 });
      assert.strictEqual(s.dirty.changedFiles, 0);
      writeFiles(dir, { 'local.txt': 'new\n' });
      await git(dir, 'add', 'local.txt');
      await git(dir, 'commit', '-q', '-m', 'local');
      writeFiles(dir, { 'README.md': 'edited\n', 'untracked.txt': 'x' });
      s = await repositoryStatus(dir);
      assert.deepStrictEqual(s.upstreamComparison, { ref: 'upstream/main', ahead: 1, behind: 2 });
      assert.deepStrictEqual(s.dirty, { changedFiles: 2, trackedChanges: 1, untracked: 1, conflicted: 0 });
      await git(dir, 'checkout', '-q', '--detach', 'v1.0.0');
      s = await repositoryStatus(dir);
      assert.deepStrictEqual([s.head.branch, s.head.detached, s.head.tags], [null, true, ['v1.0.0']]);
    });

    it('actions refuse with uncommitted changes and leave them; then fetch, checkout, branch from a tag, rebase, push', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir: target(), ref: 'feature' })).directory;
      writeFiles(dir, { 'feature.txt': 'unsaved work\n' });
      await rejectsWith(checkoutRef(dir, 'v1.0.0'), 'dirty', /uncommitted changes in 1 file\(s\)/);
      await rejectsWith(rebaseOntoUpstream(dir), 'dirty', /uncommitted changes/);
      await rejectsWith(createBranchFromUpstreamTag(dir, 'v1.1.0', 'mine-1.1'), 'dirty', /uncommitted changes/);
      assert.strictEqual(fs.readFileSync(path.join(dir, 'feature.txt'), 'utf8'), 'unsaved work\n');
      assert.strictEqual(await git(dir, 'symbolic-ref', '--short', 'HEAD'), 'feature');
      await git(dir, 'checkout', '--', 'feature.txt');

      const fetched = await fetchUpstream(dir);
      assert.deepStrictEqual(fetched.commands[0].argv, ['git', 'fetch', '--progress', '--tags', '--prune', 'upstream']);
      const co = await checkoutRef(dir, c.c2.slice(0, 12));
      assert.deepStrictEqual(co.commands.map((x) => x.argv), [['git', 'checkout', '--progress', '--detach', c.c2, '--']]);
      assert.strictEqual(await git(dir, 'rev-parse', 'HEAD'), c.c2);
      await checkoutRef(dir, 'release/1.0');
      assert.strictEqual(await git(dir, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'upstream/release/1.0');

      const branched = await createBranchFromUpstreamTag(dir, 'v1.1.0', 'mine-1.1');
      assert.deepStrictEqual(branched.commands.at(-1)?.argv, ['git', 'checkout', '--progress', '--no-track', '-b', 'mine-1.1', 'refs/tags/v1.1.0', '--']);
      assert.deepStrictEqual([await git(dir, 'symbolic-ref', '--short', 'HEAD'), await git(dir, 'rev-parse', 'HEAD')], ['mine-1.1', c.c2]);
      await rejectsWith(createBranchFromUpstreamTag(dir, 'v1.1.0', 'mine-1.1'), 'invalid-input', /already exists/);

      writeFiles(dir, { 'mine.txt': 'patch\n' });
      await git(dir, 'add', 'mine.txt');
      await git(dir, 'commit', '-q', '-m', 'my patch');
      const rebased = await rebaseOntoUpstream(dir); // no upstream/mine-1.1: onto the upstream's default branch
      assert.deepStrictEqual(rebased.commands.at(-1)?.argv, ['git', 'rebase', 'upstream/main']);
      assert.strictEqual(await git(dir, 'rev-parse', 'HEAD~1'), c.c3);

      const pushed = await pushToFork(dir);
      assert.ok(pushed.commands[0].output.some((l) => /mine-1\.1/.test(l)), pushed.commands[0].output.join('\n'));
      assert.strictEqual(await git(forkBare, 'rev-parse', 'refs/heads/mine-1.1'), await git(dir, 'rev-parse', 'HEAD'));
    });

    it('rebaseOntoUpstream stops on conflicts with a conflict error and loses nothing', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir: target(), ref: 'main' })).directory;
      writeFiles(dir, { 'README.md': 'my own\n' });
      await git(dir, 'commit', '-q', '-am', 'conflicting');
      const mine = await git(dir, 'rev-parse', 'HEAD');
      await rejectsWith(rebaseOntoUpstream(dir), 'conflict', /stopped on conflicts: resolve them and run git rebase --continue/);
      await git(dir, 'rebase', '--abort');
      assert.strictEqual(await git(dir, 'rev-parse', 'HEAD'), mine);
    });
  });

  describe('CLI', () => {
    it('dockerfork clone --json prints progress events and a final result, one JSON object a line', async () => {
      const r = await cli(['clone', bigUrl, 'big', '--json'], path.join(root, 'clones'));
      assert.strictEqual(r.code, 0, r.err);
      const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(lines.slice(0, -1).every((l) => l.type === 'progress' && typeof l.phase === 'string' && typeof l.percent === 'number'));
      assert.ok(lines.some((l) => l.phase === 'Receiving objects'));
      const result = lines.at(-1);
      assert.strictEqual(result.type, 'result');
      assert.strictEqual(result.directory, path.join(root, 'clones', 'big'));
      assert.deepStrictEqual(result.remotes.map((x: { name: string }) => x.name), ['origin']);
      assert.strictEqual(result.head.commit, await git(result.directory, 'rev-parse', 'HEAD'));
    });

    it('dockerfork clone with a fork and a ref; bad input exits 1 with the message; usage errors exit 2; Ctrl-C exits 130', async () => {
      const cwd = path.join(root, 'clones');
      const ok = await cli(['clone', upstreamUrl, 'cli-fork', '--fork', forkUrl, '--ref', 'v1.0.0'], cwd);
      assert.strictEqual(ok.code, 0, ok.err);
      assert.match(ok.out, /origin\s+git:\/\/.*fork-.*\(fork\)/);
      assert.match(ok.out, new RegExp(`detached at ${c.c1.slice(0, 12)}`));
      const bad = await cli(['clone', upstreamUrl, 'cli-bad', '--ref', 'nope', '--json'], cwd);
      assert.strictEqual(bad.code, 1);
      assert.deepStrictEqual(JSON.parse(bad.out.trim()), { type: 'error', kind: 'unknown-ref', message: `No branch or tag 'nope' in ${upstreamUrl} (a commit is given as its hash)` });
      assert.strictEqual((await cli(['clone'], cwd)).code, 2);
      assert.strictEqual((await cli(['clone', upstreamUrl, '--filter', 'tree:0'], cwd)).code, 2);
      const controller = new AbortController();
      const cancelled = await cli(['clone', bigUrl, 'cli-cancel', '--json'], cwd, controller.signal, () => controller.abort());
      assert.strictEqual(cancelled.code, 130);
      assert.strictEqual(fs.existsSync(path.join(cwd, 'cli-cancel')), false);
    });

    it('dockerfork repo status --json prints what the Repository view shows', async () => {
      const dir = (await cloneRepository({ source: upstreamUrl, fork: forkUrl, dir: target(), ref: 'main' })).directory;
      writeFiles(dir, { 'README.md': 'changed\n' });
      const r = await cli(['repo', 'status', '--cwd', dir, '--json'], root);
      assert.strictEqual(r.code, 0, r.err);
      const s = JSON.parse(r.out);
      assert.deepStrictEqual([s.root, s.kind, s.era, s.head.branch, s.dirty.changedFiles], [dir, 'moby', 'moby-hack', 'main', 1]);
      assert.deepStrictEqual(s.upstreamComparison, { ref: 'upstream/main', ahead: 0, behind: 2 });
      assert.deepStrictEqual(s.remotes.map((x: { name: string; role: string }) => [x.name, x.role]).sort(), [['origin', 'fork'], ['upstream', 'upstream']]);
      const text = await cli(['repo', 'status'], dir);
      assert.strictEqual(text.code, 0);
      assert.match(text.out, /behind 2/);
      assert.match(text.out, /1 changed file/);
      const none = await cli(['repo', 'status', '--cwd', root], root);
      assert.strictEqual(none.code, 1);
      assert.match(none.err, /is not in a git repository/);
    });
  });
});
