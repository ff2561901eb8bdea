import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CloneAnswers, CloneCommandResult } from '../../src/commands/cloneCommands';
import type { RepositoryActionArgs } from '../../src/commands/repositoryCommands';
import type { GitActionResult } from '../../src/core/git';
import type { GitTaskOutcome } from '../../src/tasks/gitTaskTerminal';
import type { RepositoryNode, RepositoryViewNode } from '../../src/views/repositoryView';
import { generateHistory, git, writeFiles } from '../services/gitHistory';
import { api, exitCodeOfTask, until, workspaceRoot } from './helpers';

const clone = (answers: CloneAnswers) => vscode.commands.executeCommand<CloneCommandResult | undefined>('dockerFork.repository.clone', answers);
const action = (id: string, args: RepositoryActionArgs) => vscode.commands.executeCommand<GitTaskOutcome<GitActionResult> | undefined>(`dockerFork.repository.${id}`, { repository: 'moby-fork', ...args });

/** The exit code VS Code records for the task terminal named `name`, once it ends. */

async function repositoryNode(): Promise<RepositoryNode> {
  const view = (await api()).ui.repository;
  const nodes = await view.getChildren();
  const node = nodes.find((n): n is RepositoryNode => n.type === 'repo' && n.repo.root === workspaceRoot());
  assert.ok(node, `the Repository view lists the workspace's fork; it shows ${nodes.length} node(s)`);
  return node;
}

/** The labels the Repository view shows under the workspace's fork, as VS Code gets them. */
async function detailLabels(): Promise<string[]> {
  const view = (await api()).ui.repository;
  const children: RepositoryViewNode[] = await view.getChildren(await repositoryNode());
  return children.filter((c) => c.type !== 'marker').map((c) => String(view.getTreeItem(c).label));
}

/** Resolves on the view's next redraw (a watcher or a command fired it). */
async function nextRedraw(timeoutMs = 15_000): Promise<void> {
  const view = (await api()).ui.repository;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error('the Repository view did not redraw'))), timeoutMs);
    const sub = view.onDidChangeTreeData(() => (clearTimeout(timer), sub.dispose(), resolve()));
  });
}

describe('Clone Docker Repository and the Repository view (real git, local bare repositories over file://)', function () {
  this.timeout(120_000);
  let root: string;
  let upstreamUrl: string;
  let forkUrl: string;
  let bigUrl: string;
  let tagCommit: string;
  let mainCommit: string;

  before(async () => {
    // Beside the workspace folder, inside the runner's own temporary folder: removed with it.
    root = fs.mkdtempSync(path.join(path.dirname(workspaceRoot()), 'clone-test-'));
    const work = path.join(root, 'work');
    await git(root, 'init', '-q', work);
    writeFiles(work, { 'hack/make.sh': '#!/bin/sh\n', 'README.md': 'upstream\n' });
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'first');
    await git(work, 'tag', 'v1.0');
    tagCommit = await git(work, 'rev-parse', 'HEAD');
    writeFiles(work, { 'README.md': 'upstream, later\n' });
    await git(work, 'commit', '-q', '-a', '-m', 'second');
    mainCommit = await git(work, 'rev-parse', 'HEAD');
    await git(root, 'clone', '-q', '--bare', work, path.join(root, 'upstream.git'));
    await git(root, 'clone', '-q', '--bare', work, path.join(root, 'fork.git'));
    upstreamUrl = `file://${path.join(root, 'upstream.git')}`;
    forkUrl = `file://${path.join(root, 'fork.git')}`;
    // Large enough that a clone over file:// is still receiving when cancelled: ~24 MiB of random blobs.
    await generateHistory(path.join(root, 'big.git'), 60, 20, 20 * 1024);
    bigUrl = `file://${path.join(root, 'big.git')}`;
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('clones with a fork at a tag, partial: origin is the fork, upstream the source, the tag checked out', async () => {
    const events: string[] = [];
    const r = await clone({ source: upstreamUrl, fork: forkUrl, ref: 'v1.0', parentDir: path.join(root, 'clones'), name: 'with-fork', filter: 'blob:none', open: 'none', onProgress: (e) => events.push(e.step) });
    assert.ok(r && r.status === 'cloned', `cloned: ${JSON.stringify(r)}`);
    const dir = path.join(root, 'clones', 'with-fork');
    assert.strictEqual(r.directory, dir);
    assert.strictEqual(await git(dir, 'rev-parse', 'HEAD'), tagCommit, 'HEAD is the tag v1.0');
    assert.strictEqual(await git(dir, 'remote', 'get-url', 'origin'), forkUrl);
    assert.strictEqual(await git(dir, 'remote', 'get-url', 'upstream'), upstreamUrl);
    assert.deepStrictEqual(r.remotes.map((x) => [x.name, x.role]).sort(), [['origin', 'fork'], ['upstream', 'upstream']]);
    assert.strictEqual(await git(dir, 'config', 'remote.origin.partialclonefilter'), 'blob:none', 'a partial clone');
    assert.ok(events.includes('clone'), 'the clone reported progress');
  });

  it('clones the upstream alone at its default branch, full: origin is the upstream', async () => {
    const r = await clone({ source: upstreamUrl, fork: '', ref: '', parentDir: path.join(root, 'clones'), name: 'plain', filter: 'none', open: 'none' });
    assert.ok(r && r.status === 'cloned', `cloned: ${JSON.stringify(r)}`);
    assert.strictEqual(r.head.branch, 'main');
    assert.strictEqual(await git(r.directory, 'rev-parse', 'HEAD'), mainCommit);
    assert.deepStrictEqual(r.remotes.map((x) => [x.name, x.role, x.fetchUrl]), [['origin', 'upstream', upstreamUrl]]);
    assert.strictEqual(await git(r.directory, 'config', '--default', '', 'remote.origin.partialclonefilter'), '', 'a full clone');
  });

  it('names a ref that does not exist, and leaves no folder', async () => {
    const r = await clone({ source: upstreamUrl, ref: 'v9.9', parentDir: path.join(root, 'clones'), name: 'bad-ref', filter: 'none', open: 'none' });
    assert.ok(r && r.status === 'failed', `failed: ${JSON.stringify(r)}`);
    assert.strictEqual(r.kind, 'unknown-ref');
    assert.match(r.message, /v9\.9/);
    assert.strictEqual(fs.existsSync(path.join(root, 'clones', 'bad-ref')), false);
  });

  it('cancels mid-clone (on the first progress event) and leaves no folder', async () => {
    const controller = new AbortController();
    let progressSeen = 0;
    const r = await clone({ source: bigUrl, parentDir: path.join(root, 'cancelled', 'deep'), name: 'big', filter: 'none', open: 'none', signal: controller.signal, onProgress: () => (progressSeen++, controller.abort()) });
    assert.ok(progressSeen > 0, 'git was reporting progress when cancelled');
    assert.deepStrictEqual(r, { status: 'cancelled' });
    assert.strictEqual(fs.existsSync(path.join(root, 'cancelled')), false, 'the folders the clone made are gone');
  });

  it('shows the fork\'s branch, remotes with their roles and ahead/behind upstream; a local commit redraws it (watcher on .git)', async () => {
    const dir = workspaceRoot();
    const node = await repositoryNode();
    const s = node.status;
    assert.ok(s, 'git status read');
    const item = (await api()).ui.repository.getTreeItem(node);
    assert.match(String(item.description), /moby/);
    assert.ok(s.eraLabel && String(item.description).includes(s.eraLabel), `the era in the description: ${item.description}`);
    assert.match(String(item.description), /main/, 'the branch in the description');
    assert.match(String(item.contextValue), /node=repository/);
    const ahead = Number(await git(dir, 'rev-list', '--count', 'upstream/main..HEAD'));
    const behind = Number(await git(dir, 'rev-list', '--count', 'HEAD..upstream/main'));
    let labels = await detailLabels();
    assert.ok(labels.includes('main'), `branch shown: ${labels.join(' | ')}`);
    assert.ok(labels.includes('upstream (upstream)'), `the upstream remote named as such: ${labels.join(' | ')}`);
    assert.ok(labels.includes(`${ahead} ahead, ${behind} behind upstream/main`), `ahead/behind: ${labels.join(' | ')}`);
    const redrawn = nextRedraw();
    await git(dir, 'commit', '-q', '--allow-empty', '-m', 'a local commit');
    try {
      await redrawn;
      labels = await detailLabels();
      assert.ok(labels.includes(`${ahead + 1} ahead, ${behind} behind upstream/main`), `one more ahead after a commit: ${labels.join(' | ')}`);
    } finally {
      await git(dir, 'reset', '-q', '--soft', 'HEAD~1');
    }
  });

  it('Fetch Upstream runs git fetch in a task terminal that closes with 0, and the view shows the new upstream commit', async () => {
    const dir = workspaceRoot();
    const upstreamDir = await git(dir, 'remote', 'get-url', 'upstream');
    const before = await git(upstreamDir, 'rev-parse', 'main');
    // A new upstream commit, made in a clone of the bare upstream and pushed to it.
    const tmp = path.join(root, 'upstream-work');
    await git(root, 'clone', '-q', upstreamDir, tmp);
    await git(tmp, 'commit', '-q', '--allow-empty', '-m', 'new upstream work');
    await git(tmp, 'push', '-q', 'origin', 'HEAD:main');
    const pushed = await git(tmp, 'rev-parse', 'HEAD');
    const code = exitCodeOfTask('moby-fork: fetch upstream');
    try {
      const out = await action('fetchUpstream', {});
      assert.ok(out, 'the action ran');
      assert.strictEqual(out.exitCode, 0, JSON.stringify(out.error));
      assert.strictEqual(await code, 0, 'the task terminal closed with 0');
      assert.deepStrictEqual(out.result?.commands[0].argv.slice(0, 2), ['git', 'fetch']);
      assert.strictEqual(await git(dir, 'rev-parse', 'upstream/main'), pushed);
      const labels = await detailLabels();
      assert.ok(labels.some((l) => / 1 behind upstream\/main$/.test(l)), `behind by the new commit: ${labels.join(' | ')}`);
    } finally {
      // Put the upstream back for the other suites.
      await git(upstreamDir, 'update-ref', 'refs/heads/main', before);
      await git(dir, 'update-ref', 'refs/remotes/upstream/main', before);
    }
  });

  it('Check Out refuses with uncommitted changes and says so; HEAD stays', async () => {
    const dir = workspaceRoot();
    const file = path.join(dir, 'README.md');
    const text = fs.readFileSync(file, 'utf8');
    const head = await git(dir, 'rev-parse', 'HEAD');
    fs.writeFileSync(file, `${text}an uncommitted change\n`);
    try {
      const ref = await git(dir, 'rev-parse', 'upstream/main');
      const code = exitCodeOfTask(`moby-fork: check out ${ref}`);
      const out = await action('checkout', { ref });
      assert.ok(out, 'the action ran');
      assert.strictEqual(out.exitCode, 1);
      assert.strictEqual(out.error?.kind, 'dirty');
      assert.match(String(out.error?.message), /uncommitted changes/);
      assert.strictEqual(await code, 1, 'the task terminal closed with 1');
      assert.strictEqual(await git(dir, 'rev-parse', 'HEAD'), head);
      assert.strictEqual(await git(dir, 'symbolic-ref', '--short', 'HEAD'), 'main');
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  it('Add Fork adds the fork as origin next to upstream (asked answer given), the view names it your fork, and Push to Fork pushes the branch there', async () => {
    const dir = workspaceRoot();
    const forkDir = path.join(root, 'workspace-fork.git');
    await git(root, 'init', '-q', '--bare', forkDir);
    const url = `file://${forkDir}`;
    try {
      const added = await vscode.commands.executeCommand<GitTaskOutcome<{ remotes: Array<{ name: string; role: string }> }>>('dockerFork.repository.addFork', { repository: 'moby-fork', url, renameOriginToUpstream: true });
      assert.ok(added && added.exitCode === 0, JSON.stringify(added?.error));
      assert.deepStrictEqual(added.result?.remotes.map((r) => [r.name, r.role]).sort(), [['origin', 'fork'], ['upstream', 'upstream']]);
      const labels = await detailLabels();
      assert.ok(labels.includes('origin (your fork)') && labels.includes('upstream (upstream)'), `remotes by role: ${labels.join(' | ')}`);
      const code = exitCodeOfTask('moby-fork: push to fork');
      const pushed = await action('push', {});
      assert.ok(pushed && pushed.exitCode === 0, JSON.stringify(pushed?.error));
      assert.strictEqual(await code, 0);
      assert.strictEqual(await git(forkDir, 'rev-parse', 'refs/heads/main'), await git(dir, 'rev-parse', 'HEAD'), 'the fork has the branch');
    } finally {
      await git(dir, 'remote', 'remove', 'origin').catch(() => undefined);
    }
  });

  it('Create Branch from Upstream Tag fetches the tag from upstream and checks out a new branch there; Rebase onto Upstream runs', async () => {
    const dir = workspaceRoot();
    const upstreamDir = await git(dir, 'remote', 'get-url', 'upstream');
    // The tag is put on the fork's own HEAD commit (pushed to the upstream), so the new branch has the same files
    // as main: the other suites share this work tree and must not see it change.
    const base = await git(dir, 'rev-parse', 'HEAD');
    await git(dir, 'push', '-q', 'upstream', `${base}:refs/tags/v0.1-test`);
    assert.strictEqual(await git(dir, 'tag', '--list', 'v0.1-test'), '', 'the workspace fork does not have the tag yet');
    try {
      const code = exitCodeOfTask('moby-fork: create branch release-test from v0.1-test');
      const out = await action('createBranch', { tag: 'v0.1-test', branch: 'release-test' });
      assert.ok(out && out.exitCode === 0, JSON.stringify(out?.error));
      assert.strictEqual(await code, 0);
      assert.deepStrictEqual(out.result?.commands.map((c) => c.argv[1]), ['fetch', 'checkout'], 'the tag was fetched from upstream first');
      assert.strictEqual(await git(dir, 'symbolic-ref', '--short', 'HEAD'), 'release-test');
      assert.strictEqual(await git(dir, 'rev-parse', 'HEAD'), base);
      const rebased = await action('rebase', {});
      assert.ok(rebased && rebased.exitCode === 0, JSON.stringify(rebased?.error));
      assert.deepStrictEqual(rebased.result?.commands.map((c) => c.argv[1]), ['fetch', 'rebase']);
    } finally {
      await git(dir, 'checkout', '-q', 'main');
      await git(dir, 'branch', '-q', '-D', 'release-test').catch(() => undefined);
      await git(dir, 'tag', '-d', 'v0.1-test').catch(() => undefined);
      await git(upstreamDir, 'tag', '-d', 'v0.1-test');
    }
  });

  it('contributes the clone command to the Repository view\'s welcome content and the actions to its repository items', async () => {
    const pkg = vscode.extensions.getExtension('docker-fork-workbench.docker-fork-workbench')!.packageJSON;
    const welcome: Array<{ view: string; contents: string }> = pkg.contributes.viewsWelcome;
    assert.ok(welcome.filter((w) => w.view === 'dockerFork.repository').every((w) => w.contents.includes('(command:dockerFork.repository.clone)')));
    const itemMenus: Array<{ command: string; when: string }> = pkg.contributes.menus['view/item/context'];
    for (const id of ['fetchUpstream', 'checkout', 'createBranch', 'rebase', 'push', 'addFork']) {
      assert.ok(itemMenus.some((m) => m.command === `dockerFork.repository.${id}` && m.when.includes('viewItem =~ /node=repository/')), `${id} on repository items`);
    }
    await until('the view to list the fork', async () => (await repositoryNode()).status !== null);
  });
});
