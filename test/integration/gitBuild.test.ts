import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildEvent } from '../../src/core/build/events';
import { LABEL_BUILD, LABEL_REPO } from '../../src/core/build/executor';
import { buildFromGit, GitBuildOptions, GitBuildResult } from '../../src/core/build/gitSourceBuild';
import { GitOperationError } from '../../src/core/git/errors';
import { freePort } from '../services/processes';
import { generateHistory, git, writeFiles } from '../services/gitHistory';
import { FIXTURE_FORK } from '../runners/workspace';
import { runCli } from './cliHelpers';
import { currentRig } from './rigHooks';

async function buildContainers(): Promise<string[]> {
  return (await currentRig().docker.client.listContainers({ all: true, filters: { label: [LABEL_BUILD] } })).map((c) => c.Id);
}

/** Builder images of Git builds that nothing tags any more (a rebuild for another commit replaced them). */
async function danglingGitBuilderImages(temp: string): Promise<string[]> {
  const images = await currentRig().docker.client.listImages({ filters: { dangling: ['true'], label: [LABEL_REPO] } });
  return images.filter((i) => (i.Labels?.[LABEL_REPO] ?? '').startsWith(`${temp}/`)).map((i) => `${i.Id} ${i.Labels?.[LABEL_REPO]}`);
}

function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

const cli = runCli;

describe('building a Git ref without cloning it (git daemon on loopback, private engine)', function () {
  this.timeout(240_000);
  const id = randomBytes(4).toString('hex');
  let root: string;
  let temp: string;
  let url: string;
  let workspace: string;
  let workspaceHead: string;
  let feature: string;
  let env: Record<string, string | undefined>;
  let n = 0;
  const outDir = () => path.join(root, 'out', `o${++n}`);
  const savedEnv: Record<string, string | undefined> = {};

  async function build(o: Partial<GitBuildOptions> & Pick<GitBuildOptions, 'source'>, onEvent?: (e: BuildEvent) => void) {
    const events: BuildEvent[] = [];
    const result: GitBuildResult = await buildFromGit({
      target: 'binary',
      outDir: outDir(),
      // Privileged containers are refused on these machines: build without.
      overrides: { privileged: false },
      listener: (e) => (events.push(e), onEvent?.(e)),
      engineEnv: { env, homeDir: os.homedir() },
      tempParent: temp,
      ...o,
    });
    const log = events.filter((e): e is Extract<BuildEvent, { type: 'log' }> => e.type === 'log').map((e) => e.text).join('');
    return { result, events, log };
  }

  async function rejects(p: Promise<unknown>, kind: string, message: RegExp): Promise<void> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof GitOperationError, `not a GitOperationError: ${e instanceof Error ? e.stack : e}`);
      assert.strictEqual(e.kind, kind, e.message);
      assert.match(e.message, message);
      return;
    }
    assert.fail(`expected a '${kind}' failure`);
  }

  before(async function () {
    this.timeout(120_000);
    const rig = currentRig();
    root = path.join(rig.root, `gitbuild-${id}`);
    temp = path.join(root, 'tmp');
    fs.mkdirSync(temp, { recursive: true });
    // The fixture fork as a real repository: main as shipped, a `feature` branch that changes VERSION.
    const work = path.join(root, 'work');
    fs.cpSync(FIXTURE_FORK, work, { recursive: true });
    await git(root, 'init', '-q', work);
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'fixture fork');
    await git(work, 'checkout', '-q', '-b', 'feature');
    // The branch also brings its own editor settings with a target that would run on this machine: never used.
    writeFiles(work, { VERSION: 'feature-1\n', '.vscode/settings.json': JSON.stringify({ 'dockerFork.targets': [{ id: 'here', command: ['touch', path.join(root, 'ran-on-host')], executor: 'host' }] }) });
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'feature: version feature-1');
    feature = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'tag', '-a', '-m', 'a release of the feature', 'v0.9.0-feature');
    await git(work, 'checkout', '-q', 'main');
    const bare = path.join(rig.git.baseDir, `gitbuild-${id}.git`);
    await git(root, 'clone', '-q', '--bare', work, bare);
    url = rig.git.url(`gitbuild-${id}`);
    // The user's workspace: a separate clone of main, which a Git build must not touch.
    workspace = path.join(root, 'moby-fork');
    await git(root, 'clone', '-q', url, workspace);
    workspaceHead = await git(workspace, 'rev-parse', 'HEAD');
    env = { PATH: process.env.PATH, DOCKER_HOST: rig.docker.host, DOCKER_CONTEXT: '', DOCKER_CONFIG: path.join(root, 'docker-config') };
    // The CLI reads the engine and the temp folder from the process environment.
    for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'TMPDIR']) savedEnv[k] = process.env[k];
    Object.assign(process.env, { DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONTEXT: '', DOCKER_CONFIG: env.DOCKER_CONFIG, TMPDIR: temp });
  });

  after(() => {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.join(currentRig().git.baseDir, `gitbuild-${id}.git`), { recursive: true, force: true });
  });
  after(async () => {
    const docker = currentRig().docker.client;
    const { Volumes } = await docker.listVolumes({ filters: { label: [`io.dockerfork.repo=git:${url}`] } });
    for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
  });

  afterEach(async () => {
    assert.deepStrictEqual(await buildContainers(), [], 'a build container was left behind');
    assert.deepStrictEqual(entries(temp), [], 'a temporary checkout was left behind');
    assert.deepStrictEqual(await danglingGitBuilderImages(temp), [], 'a replaced builder image was left behind');
    // The workspace is untouched: same commit, nothing changed, no bundles.
    assert.strictEqual(await git(workspace, 'rev-parse', 'HEAD'), workspaceHead);
    assert.strictEqual(await git(workspace, 'status', '--porcelain', '--ignored'), '');
  });

  it('builds a branch: artifacts in the output folder report the branch\'s version and commit', async () => {
    const out = outDir();
    const { result, events, log } = await build({ source: `${url}#feature`, outDir: out });
    assert.strictEqual(result.exitCode, 0, log);
    assert.strictEqual(result.source.commit, feature);
    assert.strictEqual(result.source.kind, 'branch');
    assert.match(log, /Copying the source into the container/);
    // Its own builder image tag: the workspace's docker-dev:<name> is not replaced by the branch's.
    assert.match(log, /^Image: docker-dev:gitbuild-[0-9a-f]+-git$/m);
    // The fetch reports progress as events, not as a line per redraw.
    assert.ok(events.some((e) => e.type === 'progress' && /^Fetching: /.test(e.progress.label)), 'no fetch progress');
    assert.doesNotMatch(log, /git: .*\d+% \(\d+\/\d+\)/);
    const dockerd = path.join(out, 'bundles/binary-daemon/dockerd-feature-1');
    assert.ok(fs.existsSync(dockerd), `no ${dockerd}; out has ${entries(out)}\n${log}`);
    const artifact = result.artifacts.find((a) => a.relativePath === 'bundles/binary-daemon/dockerd-feature-1');
    assert.ok(artifact, JSON.stringify(result.artifacts));
    assert.strictEqual(artifact.path, dockerd);
    assert.strictEqual(artifact.version, `Docker version feature-1, build ${feature.slice(0, 7)}`);
    assert.strictEqual(fs.readFileSync(`${dockerd}.sha256`, 'utf8').trim(), artifact.sha256);
    // Artifact events name files that exist, and come before the one `done`.
    const artifactEvents = events.filter((e) => e.type === 'artifact');
    assert.strictEqual(artifactEvents.length, result.artifacts.length);
    assert.strictEqual(events.at(-1)?.type, 'done');
    assert.deepStrictEqual(entries(out), ['bundles'], 'only the artifacts land in the output folder');
  });

  it('builds the default branch when no ref is given', async () => {
    const { result, log } = await build({ source: url });
    assert.strictEqual(result.exitCode, 0, log);
    // Another commit, another context: the builder image is rebuilt (and the one it replaced removed, see afterEach).
    assert.match(log, /Building builder image docker-dev:gitbuild-[0-9a-f]+-git/);
    assert.strictEqual(result.source.commit, workspaceHead);
    // The cache volumes are the repository's, whichever ref: the same ones as the feature build's, not new.
    const caches = [...log.matchAll(/^Cache (\S+): \w+ \(([^;]+); volume (\S+)\)$/gm)];
    assert.strictEqual(caches.length, 2, log);
    for (const [, , detail, volume] of caches) {
      assert.notStrictEqual(detail, 'new volume', volume);
      const info = await currentRig().docker.client.getVolume(volume).inspect();
      assert.strictEqual(info.Labels['io.dockerfork.repo'], `git:${url}`);
    }
    assert.ok(result.artifacts.some((a) => a.relativePath === 'bundles/binary-daemon/dockerd-dev'));
  });

  it('builds an annotated tag and a commit given by its full hash', async () => {
    const tag = await build({ source: `${url}#v0.9.0-feature` });
    assert.strictEqual(tag.result.exitCode, 0, tag.log);
    assert.deepStrictEqual([tag.result.source.kind, tag.result.source.commit], ['tag', feature]);
    const commit = await build({ source: `${url}#${feature}` });
    assert.strictEqual(commit.result.exitCode, 0, commit.log);
    assert.deepStrictEqual([commit.result.source.kind, commit.result.source.commit], ['commit', feature]);
    assert.ok(commit.result.artifacts.some((a) => a.version === `Docker version feature-1, build ${feature.slice(0, 7)}`), JSON.stringify(commit.result.artifacts));
    // An abbreviated hash cannot be fetched from a server: asked in full, before anything is fetched.
    await rejects(build({ source: `${url}#${feature.slice(0, 10)}` }), 'unknown-ref', /full hash \(40 hex digits\)/);
  });

  it('fails clearly, before any container, for an unknown ref and an unreachable URL', async () => {
    const started: string[] = [];
    const watch = (e: BuildEvent) => e.type === 'log' && /^(Engine|Image):/m.test(e.text) && started.push(e.text);
    const out = outDir();
    await rejects(build({ source: `${url}#no-such-branch`, outDir: out }, watch), 'unknown-ref', /No branch or tag 'no-such-branch' in git:\/\/127\.0\.0\.1/);
    const dead = `git://127.0.0.1:${await freePort()}/nothing.git`;
    await rejects(build({ source: `${dead}#feature`, outDir: out }, watch), 'unreachable', /Cannot connect to 127\.0\.0\.1:\d+/);
    await rejects(build({ source: `${url.replace(/gitbuild-/, 'missing-')}#feature`, outDir: out }, watch), 'not-found', /No git repository at/);
    assert.deepStrictEqual(started, [], 'the engine was reached');
    assert.ok(!fs.existsSync(out), 'the output folder was made');
  });

  it('runs only the detected container targets, never a target from the branch\'s own settings', async () => {
    await rejects(build({ source: `${url}#feature`, target: 'here' }), 'invalid-input', /No target 'here' in .*; targets: binary, dynbinary/);
    assert.ok(!fs.existsSync(path.join(root, 'ran-on-host')));
  });

  it('refuses an output folder that holds files, unless forced', async () => {
    const out = outDir();
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine\n');
    await rejects(build({ source: `${url}#feature`, outDir: out }), 'target-not-empty', /is not empty.*--force/);
    const { result, log } = await build({ source: `${url}#feature`, outDir: out, force: true });
    assert.strictEqual(result.exitCode, 0, log);
    assert.strictEqual(fs.readFileSync(path.join(out, 'keep.txt'), 'utf8'), 'mine\n');
    assert.ok(fs.existsSync(path.join(out, 'bundles/binary-daemon/dockerd-feature-1')));
    await rejects(build({ source: `${url}#feature`, outDir: path.join(out, 'keep.txt', 'sub') }), 'invalid-input', /part of its path is a file/);
  });

  it('abort mid-build leaves no container, no temporary folder and no output', async () => {
    const controller = new AbortController();
    const out = outDir();
    const { result } = await build({ source: `${url}#feature`, outDir: out, signal: controller.signal }, (e) => {
      // Once the build's own command prints, the container is running.
      if (e.type === 'log' && e.stream !== 'system' && /Making bundle/.test(e.text)) controller.abort();
    });
    assert.strictEqual(result.cancelled, true);
    assert.ok(!fs.existsSync(out), `output left: ${entries(out)}`);
  });

  it('abort mid-fetch stops git and leaves nothing either', async function () {
    this.timeout(300_000);
    // Large enough that the one commit's tree is still arriving when the first progress event comes (~40 MiB).
    const big = `gitbuild-big-${id}`;
    await generateHistory(path.join(currentRig().git.baseDir, `${big}.git`), 20, 100, 20 * 1024);
    try {
      const controller = new AbortController();
      const out = outDir();
      let progressAt = 0;
      await rejects(
        build({ source: `${currentRig().git.url(big)}#main`, outDir: out, signal: controller.signal }, (e) => {
          if (e.type === 'progress' && /^Fetching: /.test(e.progress.label) && !progressAt) {
            progressAt = Date.now();
            controller.abort();
          }
        }),
        'cancelled',
        /cancelled/,
      );
      assert.ok(progressAt > 0, 'no fetch progress before the end');
      assert.ok(!fs.existsSync(out));
      const gits = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(temp);
        } catch {
          return false;
        }
      });
      assert.deepStrictEqual(gits, [], 'a git process still runs in the temporary folder');
    } finally {
      fs.rmSync(path.join(currentRig().git.baseDir, `${big}.git`), { recursive: true, force: true });
    }
  });

  describe('dockerfork build --git', () => {
    it('builds URL#REF into --out and prints its artifacts', async () => {
      const out = path.join(root, 'cli-out');
      const r = await cli(['build', 'binary', '--git', `${url}#feature`, '--out', 'cli-out', '--no-privileged', '--json'], root);
      assert.strictEqual(r.code, 0, r.err + r.out);
      const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
      const done = events.at(-1);
      assert.strictEqual(done.type, 'done');
      assert.strictEqual(done.result.source.commit, feature);
      const dockerd = events.find((e) => e.type === 'artifact' && e.artifact.relativePath === 'bundles/binary-daemon/dockerd-feature-1');
      assert.ok(dockerd, r.out);
      assert.strictEqual(dockerd.artifact.path, path.join(out, 'bundles/binary-daemon/dockerd-feature-1'));
      assert.ok(fs.existsSync(dockerd.artifact.path));
      assert.strictEqual(dockerd.artifact.version, `Docker version feature-1, build ${feature.slice(0, 7)}`);
    });

    it('without --json names each artifact where it landed', async () => {
      const out = path.join(root, 'cli-plain');
      const r = await cli(['build', '--git', `${url}#feature`, '--out', out, '--no-privileged'], root);
      assert.strictEqual(r.code, 0, r.err + r.out);
      assert.match(r.out, new RegExp(`^artifact ${out}/bundles/binary-daemon/dockerd-feature-1 \\d+ bytes sha256:[0-9a-f]{64} \\(Docker version feature-1, build ${feature.slice(0, 7)}\\)$`, 'm'));
    });

    it('exits 1 with the reason for an unknown ref, 2 for a wrong command line', async () => {
      const bad = await cli(['build', '--git', `${url}#nope`, '--out', 'x', '--no-privileged'], root);
      assert.strictEqual(bad.code, 1);
      assert.match(bad.err, /No branch or tag 'nope' in git:/);
      assert.ok(!fs.existsSync(path.join(root, 'x')));
      const noOut = await cli(['build', '--git', `${url}#feature`], root);
      assert.strictEqual(noOut.code, 2);
      assert.match(noOut.err, /--git needs --out DIR/);
      const withCwd = await cli(['build', '--git', `${url}#feature`, '--out', 'x', '--cwd', workspace], root);
      assert.strictEqual(withCwd.code, 2);
      assert.match(withCwd.err, /--cwd is not used with --git/);
      const badRef = await cli(['build', '--git', `${url}#a..b`, '--out', 'x'], root);
      assert.strictEqual(badRef.code, 2);
      assert.match(badRef.err, /'a\.\.b' is not a branch, tag or commit name/);
    });

    it('Ctrl-C mid-build exits 130 and leaves nothing', async () => {
      const controller = new AbortController();
      const out = path.join(root, 'cli-cancelled');
      const r = await cli(['build', '--git', `${url}#feature`, '--out', out, '--no-privileged'], root, controller.signal, (t) => {
        if (/Making bundle/.test(t)) controller.abort();
      });
      assert.strictEqual(r.code, 130, r.err + r.out);
      assert.ok(!fs.existsSync(out));
    });
  });
});
