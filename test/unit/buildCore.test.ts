import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildHistory, BuildRecord } from '../../src/core/build/history';
import { parseGoProblems } from '../../src/core/build/problems';
import { ContainerRecipe } from '../../src/core/build/recipe';
import { mergeUserTargets, UserTargetError } from '../../src/core/build/userTargets';
import { resolveTargets } from '../../src/core/repo/catalog';
import { detectRepository } from '../../src/core/repo/detect';
import { detectEra, listTargets, MOBY_SOURCE_PATH } from '../../src/core/repo/targets';
import { readWorkspaceBuildSettings } from '../../src/core/repo/workspaceSettings';
import { FIXTURES } from './paths';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-unit-'));

describe('build targets and their settings', () => {
  it('gives the moby fixture binary (default) and dynbinary as container recipes with era-correct artifact paths', async () => {
    const repo = (await detectRepository(path.join(FIXTURES, 'moby-fork')))!;
    assert.strictEqual(await detectEra(repo), 'moby-hack');
    const targets = await listTargets(repo);
    assert.deepStrictEqual(targets.map((t) => [t.id, t.executor, t.isDefault, t.artifacts[0]]), [
      ['binary', 'container', true, 'bundles/binary-daemon'],
      ['dynbinary', 'container', false, 'bundles/dynbinary-daemon'],
    ]);
    const binary = targets[0] as ContainerRecipe;
    assert.strictEqual(binary.sourcePath, MOBY_SOURCE_PATH);
    assert.strictEqual(binary.privileged, true, 'upstream runs privileged; users switch it off');
    assert.deepStrictEqual(binary.command, ['hack/make.sh', 'binary']);
  });

  it('reads the versioned bundles folder of 17.x from hack/make.sh itself', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'hack'));
    fs.writeFileSync(path.join(root, 'hack/make.sh'), 'rm -fr "bundles/$VERSION"\n');
    fs.writeFileSync(path.join(root, 'VERSION'), '17.06.2-ce\n');
    fs.writeFileSync(path.join(root, 'Makefile'), 'binary: build\n\t$(DOCKER_RUN_DOCKER) hack/make.sh binary\n');
    const targets = await listTargets((await detectRepository(root))!);
    assert.strictEqual(targets[0].artifacts[0], 'bundles/17.06.2-ce/binary-daemon');
    fs.rmSync(root, { recursive: true });
  });

  it('adds user targets, overrides fields of detected ones, and moves the default mark', async () => {
    const repo = (await detectRepository(path.join(FIXTURES, 'moby-fork')))!;
    const { recipes: merged } = mergeUserTargets(repo.root, await listTargets(repo), [
      { id: 'binary', privileged: false, env: { DOCKER_BUILDTAGS: 'no_btrfs' } },
      { id: 'vet', command: ['go', 'vet', './...'], image: 'golang:1.21', default: true },
      { id: 'lint', command: ['make', 'validate'] },
    ] as never);
    const binary = merged.find((t) => t.id === 'binary') as ContainerRecipe;
    assert.strictEqual(binary.privileged, false);
    assert.deepStrictEqual(binary.command, ['hack/make.sh', 'binary'], 'unset fields keep the detected value');
    assert.strictEqual(binary.env.DOCKER_BUILDTAGS, 'no_btrfs');
    assert.strictEqual(binary.isDefault, false);
    const vet = merged.find((t) => t.id === 'vet') as ContainerRecipe;
    assert.deepStrictEqual([vet.executor, vet.isDefault, vet.image], ['container', true, { kind: 'image', name: 'golang:1.21' }]);
    assert.strictEqual(merged.find((t) => t.id === 'lint')?.executor, 'host');
  });

  it('leaves out a user target without an argv command, naming the setting entry, and keeps the others', () => {
    const bad = mergeUserTargets('/r', [], [{ id: 'x', command: 'make binary' } as never, { id: 'ok', command: ['true'] }]);
    assert.deepStrictEqual(bad.recipes.map((r) => r.id), ['ok']);
    assert.deepStrictEqual(bad.problems.map((p) => [p.index, p.id]), [[0, 'x']]);
    assert.match(bad.problems[0].message, /dockerFork\.targets\[0\] \("x"\) needs "command" as a non-empty array/);
    assert.match(mergeUserTargets('/r', [], [{ id: 'c', command: ['true'], executor: 'container' } as never]).problems[0].message, /set "image" or "dockerfile"/);
    assert.ok(UserTargetError);
  });

  it('reads targets and overrides from .vscode/settings.json with comments, and names the line of a syntax error', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, '.vscode'));
    fs.writeFileSync(path.join(root, '.vscode/settings.json'), '{\n  // builds here run unprivileged\n  "dockerFork.build.privileged": false,\n  "dockerFork.targets": [{"id": "t", "command": ["true"]}],\n}\n');
    const s = await readWorkspaceBuildSettings(root);
    assert.deepStrictEqual([s.privileged, s.targets.length], [false, 1]);
    const repo = (await detectRepository(path.join(FIXTURES, 'moby-fork')))!;
    const { recipes: resolved } = await resolveTargets(repo, s);
    assert.ok(resolved.every((r) => r.executor !== 'container' || r.privileged === false));
    fs.writeFileSync(path.join(root, '.vscode/settings.json'), '{\n  "dockerFork.targets": [\n    {"id": }\n  ]\n}\n');
    const broken = await readWorkspaceBuildSettings(root);
    assert.deepStrictEqual(broken.problems.map((p) => [path.basename(p.file), p.line]), [['settings.json', 3]]);
    assert.match(broken.problems[0].message, /a value is expected here/);
    fs.rmSync(root, { recursive: true });
  });
});

describe('Go compiler messages to workspace files', () => {
  it('maps container, relative and host paths into the repository and drops paths outside it', () => {
    const out = [
      '# github.com/docker/docker/daemon',
      '/go/src/github.com/docker/docker/daemon/daemon.go:12:5: undefined: foo',
      'daemon/daemon.go:14:2: declared and not used: x',
      '\u001b[31m./cmd/dockerd/docker.go:3: warning: something odd\u001b[0m',
      '/usr/local/go/src/runtime/proc.go:1:1: not ours',
      '../outside.go:1:1: not ours either',
      'Building: bundles/binary-daemon/dockerd-dev',
    ].join('\n');
    const problems = parseGoProblems(out, '/home/me/moby', '/go/src/github.com/docker/docker');
    assert.deepStrictEqual(problems, [
      { file: '/home/me/moby/daemon/daemon.go', line: 12, column: 5, message: 'undefined: foo', severity: 'error' },
      { file: '/home/me/moby/daemon/daemon.go', line: 14, column: 2, message: 'declared and not used: x', severity: 'error' },
      { file: '/home/me/moby/cmd/dockerd/docker.go', line: 3, column: undefined, message: 'warning: something odd', severity: 'warning' },
    ]);
  });
});

describe('build history', () => {
  it('keeps records newest first across instances (a reload), capped, and finds the latest per target', async () => {
    const dir = tmp();
    const file = path.join(dir, 'state', 'history.json');
    const rec = (target: string, startedAt: number, result: BuildRecord['result']): BuildRecord => ({ repoRoot: '/r', target, startedAt, durationMs: 5, result, artifacts: [] });
    const h = new BuildHistory(file, 3);
    await h.add(rec('binary', 1, 'failed'));
    await h.add(rec('binary', 2, 'succeeded'));
    await h.add(rec('dynbinary', 3, 'cancelled'));
    await h.add(rec('binary', 4, 'error'));
    const reloaded = new BuildHistory(file, 3);
    assert.deepStrictEqual((await reloaded.list()).map((r) => r.startedAt), [4, 3, 2]);
    const latest = await reloaded.latest('/r');
    assert.deepStrictEqual([latest.get('binary')?.result, latest.get('dynbinary')?.result], ['error', 'cancelled']);
    fs.writeFileSync(file, '{ broken');
    assert.deepStrictEqual(await new BuildHistory(file, 3).list(), [], 'a corrupt file does not break builds');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('Go problem lines from chunked output', () => {
  it('keeps only candidate lines, across chunk boundaries, and finds the same problems as the whole text', async () => {
    const { GoProblemLines } = await import('../../src/core/build/problems');
    const whole = `noise\n${'x'.repeat(100)}\n/go/src/github.com/docker/docker/daemon/daemon.go:12:5: undefined: foo\nmore noise\ncmd/dockerd/docker.go:3:1: bad\n`;
    const lines = new GoProblemLines();
    for (let i = 0; i < whole.length; i += 13) lines.feed(whole.slice(i, i + 13));
    assert.ok(!lines.text().includes('noise'));
    assert.deepStrictEqual(parseGoProblems(lines.text(), '/r', '/go/src/github.com/docker/docker'), parseGoProblems(whole, '/r', '/go/src/github.com/docker/docker'));
    assert.strictEqual(parseGoProblems(lines.text(), '/r', '/go/src/github.com/docker/docker').length, 2);
  });
});
