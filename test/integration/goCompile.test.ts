import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { BuildEvent, BuildResult } from '../../src/core/build/events';
import { LABEL_BUILD } from '../../src/core/build/executor';
import { parseGoProblems } from '../../src/core/build/problems';
import { applyOverrides, BuildRecipe } from '../../src/core/build/recipe';
import { detectRepository } from '../../src/core/repo/detect';
import { listTargets, MOBY_SOURCE_PATH } from '../../src/core/repo/targets';
import { commitGoFork, GO_FORK_VERSION, GoFork, writeGoFork } from '../fixtures/goFork';
import { GO_IMAGE, ensureGoImage } from '../services/goImage';
import { requireTools, TOOLS } from '../services/preflight';
import { currentRig } from './rigHooks';

// Small enough to compile cold twice in about a minute on 2 shared cores, large enough to be a real import graph.
const PACKAGES = 80;

async function build(recipe: BuildRecipe, env: Record<string, string | undefined>) {
  const events: BuildEvent[] = [];
  const result: BuildResult = await new BuildRunner().run(recipe, { listener: (e) => events.push(e), engineEnv: { env, homeDir: os.homedir() } });
  const log = events.filter((e): e is Extract<BuildEvent, { type: 'log' }> => e.type === 'log').map((e) => e.text).join('');
  return { result, log };
}

function runBinary(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { timeout: 10_000 }, (err, out) => (err ? reject(err) : resolve(String(out)))));
}

describe('a real Go compile of the Go fixture fork (Debian Go in dfw-go, unprivileged)', function () {
  this.timeout(15 * 60_000);
  let work: string;
  let fork: GoFork;
  let commit: string;
  let binary: BuildRecipe;
  let env: Record<string, string | undefined>;

  before(async function () {
    // Making the Go image's root file system takes about a minute the first time; importing it about 15 s.
    const tools = requireTools([TOOLS.debootstrap, TOOLS.tar]);
    await ensureGoImage(currentRig().docker.client, tools.debootstrap, (l) => process.stderr.write(`[rig] ${l}\n`));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-rig-gocompile-'));
    fork = writeGoFork(path.join(work, 'moby-go'), { packages: PACKAGES });
    commit = await commitGoFork(fork.root);
    const targets = await listTargets((await detectRepository(fork.root))!);
    // What a user with a ready-made Go image runs: `dockerfork build binary --image dfw-go:bookworm --no-privileged`.
    binary = applyOverrides(targets.find((t) => t.id === 'binary')!, { image: GO_IMAGE, privileged: false });
    env = { PATH: process.env.PATH, DOCKER_HOST: currentRig().docker.host, DOCKER_CONFIG: path.join(work, 'docker-config') };
  });
  after(() => work && fs.rmSync(work, { recursive: true, force: true }));
  afterEach(async () => {
    const left = await currentRig().docker.client.listContainers({ all: true, filters: { label: [LABEL_BUILD] } });
    assert.strictEqual(left.length, 0, 'a build container was left behind');
  });

  it('fails on a type error, with the compiler message in the log mapped to the workspace file and line', async () => {
    const rel = fork.goFiles.find((f) => f.startsWith('pkg/archive/') && !f.endsWith('_table.go'))!;
    const file = path.join(fork.root, rel);
    const original = fs.readFileSync(file, 'utf8');
    const before = original.split('\n').length;
    // The broken line is the third line appended: `\tvar n int = "not a number"`, the string at column 14.
    fs.writeFileSync(file, `${original}\nfunc brokenByTest() int {\n\tvar n int = "not a number"\n\treturn n\n}\n`);
    const brokenLine = before + 2;
    try {
      const { result, log } = await build(binary, env);
      assert.ok(result.exitCode !== undefined && result.exitCode !== 0, `expected a failed build, got ${JSON.stringify(result)}\n${log}`);
      assert.match(log, /# github\.com\/docker\/docker\/pkg\/archive\n/);
      assert.match(log, new RegExp(`${rel.replace(/[.]/g, '\\.')}:${brokenLine}:14: cannot use "not a number" \\(untyped string constant\\) as int value`));
      const problems = parseGoProblems(log, fork.root, MOBY_SOURCE_PATH);
      const ours = problems.filter((p) => p.file === file);
      assert.strictEqual(ours.length, 1, JSON.stringify(problems));
      assert.strictEqual(ours[0].line, brokenLine);
      assert.strictEqual(ours[0].column, 14);
      assert.match(ours[0].message, /^cannot use "not a number"/);
      assert.strictEqual(ours[0].severity, 'error');
      assert.deepStrictEqual(result.artifacts, []);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('builds a static dockerd whose --version reports the fork version and commit, and that runs every package', async () => {
    const { result, log } = await build(binary, env);
    assert.strictEqual(result.exitCode, 0, log);
    assert.match(log, /---> Making bundle: binary \(in bundles\/binary\)/);
    const dockerd = result.artifacts.find((a) => a.relativePath === 'bundles/binary-daemon/dockerd');
    assert.ok(dockerd, `no dockerd among ${result.artifacts.map((a) => a.relativePath).join(', ')}`);
    assert.strictEqual(dockerd.version, `Docker version ${GO_FORK_VERSION}, build ${commit}`);
    assert.strictEqual(dockerd.sha256, fs.readFileSync(path.join(fork.root, 'bundles/binary-daemon/dockerd.sha256'), 'utf8').split(' ')[0]);
    // The program is real: running it initialises every generated package through the import graph.
    const ran = await runBinary(dockerd.path, []);
    assert.match(ran, new RegExp(`^dockerd \\(fixture fork\\): ${fork.packages.length - 4} packages initialised`));
  });
});
