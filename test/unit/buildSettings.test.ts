import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { resolveTargets } from '../../src/core/repo/catalog';
import { detectRepository } from '../../src/core/repo/detect';
import { formatProblem, parseBuildSettings, readWorkspaceBuildSettings } from '../../src/core/repo/workspaceSettings';
import { FIXTURES } from './paths';

const FILE = '/w/moby/.vscode/settings.json';

/** One reading of .vscode/settings.json for the editor and the CLI (§5 of issue 6). */
describe('build settings from .vscode/settings.json, read as VS Code reads them', () => {
  it('an empty file, or one with only comments, is no settings rather than an error (VS Code accepts both)', () => {
    for (const text of ['', '   \n', '// nothing yet\n', '{}']) {
      const s = parseBuildSettings(text, FILE);
      assert.deepStrictEqual([s.targets, s.problems], [[], []], JSON.stringify(text));
    }
  });

  it('after a syntax error uses what still parses and reports the error with file and line, in words instead of parser names', () => {
    const text = '{\n  "dockerFork.build.privileged": false\n  "dockerFork.build.image": "my-dev:latest"\n}\n';
    const s = parseBuildSettings(text, FILE);
    assert.deepStrictEqual([s.privileged, s.image], [false, 'my-dev:latest'], 'values on both sides of the missing comma are used, as VS Code uses them');
    assert.strictEqual(s.problems.length, 1);
    assert.strictEqual(formatProblem(s.problems[0]).split(': ')[0], `${FILE}:3`);
    assert.match(s.problems[0].message, /a comma is missing/);
    assert.doesNotMatch(formatProblem(s.problems[0]), /CommaExpected/);
  });

  it('a value of the wrong type is reported at its line and ignored; the rest is used', () => {
    const s = parseBuildSettings('{\n  "dockerFork.build.privileged": "no",\n  "dockerFork.targets": [{"id": "t", "command": ["true"]}]\n}', FILE);
    assert.strictEqual(s.privileged, undefined);
    assert.strictEqual(s.targets.length, 1);
    assert.deepStrictEqual(s.problems.map((p) => p.line), [2]);
    assert.match(s.problems[0].message, /dockerFork\.build\.privileged must be true, false or null/);
  });

  it('dockerFork.build.builder chooses how builder images are built, for every Dockerfile target; a wrong value is reported at its line', async () => {
    const s = parseBuildSettings('{\n  "dockerFork.build.builder": "legacy"\n}', FILE);
    assert.deepStrictEqual([s.builder, s.problems], ['legacy', []]);
    const bad = parseBuildSettings('{\n\n  "dockerFork.build.builder": "kaniko"\n}', FILE);
    assert.strictEqual(bad.builder, undefined);
    assert.deepStrictEqual(bad.problems.map((p) => [p.line, p.message]), [[3, 'dockerFork.build.builder must be "auto", "buildkit" or "legacy"']]);
    const repo = (await detectRepository(path.join(FIXTURES, 'moby-fork')))!;
    const { recipes } = await resolveTargets(repo, s);
    const images = recipes.flatMap((r) => (r.executor === 'container' && r.image.kind === 'dockerfile' ? [r.image.builder] : []));
    assert.ok(images.length >= 2, 'the fixture has Dockerfile targets');
    assert.deepStrictEqual([...new Set(images)], ['legacy']);
  });

  it('a malformed target entry hides only itself: the detected and the good user targets are listed, the bad one named with file and line', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-settings-'));
    fs.cpSync(path.join(FIXTURES, 'moby-fork'), root, { recursive: true });
    fs.mkdirSync(path.join(root, '.vscode'), { recursive: true });
    const file = path.join(root, '.vscode', 'settings.json');
    fs.writeFileSync(file, '{\n  "dockerFork.targets": [\n    {"id": "lint", "command": ["make", "validate"]},\n    {"id": "broken", "command": "make binary"}\n  ]\n}\n');
    try {
      const repo = (await detectRepository(root))!;
      const list = await resolveTargets(repo, await readWorkspaceBuildSettings(root));
      assert.deepStrictEqual(list.recipes.map((r) => r.id), ['binary', 'dynbinary', 'lint']);
      assert.deepStrictEqual(list.problems.map(formatProblem), [`${file}:4: dockerFork.targets[1] ("broken") needs "command" as a non-empty array of strings (argv, no shell)`]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a missing file is no settings; the file read is the repository\'s own', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-settings-'));
    try {
      const s = await readWorkspaceBuildSettings(root);
      assert.deepStrictEqual([s.file, s.targets, s.problems], [path.join(root, '.vscode', 'settings.json'), [], []]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the CLI reads the same file the same way: an empty file is fine; a syntax error and a bad entry are warnings with file and line beside the targets', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-settings-'));
    fs.cpSync(path.join(FIXTURES, 'moby-fork'), root, { recursive: true });
    fs.mkdirSync(path.join(root, '.vscode'), { recursive: true });
    const file = path.join(root, '.vscode', 'settings.json');
    const cli = async (argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: root });
      return { code, out, err };
    };
    try {
      fs.writeFileSync(file, '');
      const empty = await cli(['targets']);
      assert.deepStrictEqual([empty.code, empty.err], [0, '']);
      fs.writeFileSync(file, '{\n  "dockerFork.build.privileged": false\n  "dockerFork.targets": [\n    {"id": "lint", "command": ["make", "validate"]},\n    {"id": "broken", "command": "make binary"}\n  ]\n}\n');
      const r = await cli(['targets', '--json']);
      assert.strictEqual(r.code, 0, r.err);
      const [repo] = JSON.parse(r.out);
      assert.deepStrictEqual(repo.targets.map((t: { id: string }) => t.id), ['binary', 'dynbinary', 'lint']);
      assert.ok(repo.targets.every((t: { executor: string; privileged?: boolean }) => t.executor !== 'container' || t.privileged === false), 'values after the syntax error are used');
      assert.deepStrictEqual(r.err.trim().split('\n'), [
        `warning: ${file}:3: a comma is missing before this (VS Code reads the rest of the file; so does the CLI)`,
        `warning: ${file}:5: dockerFork.targets[1] ("broken") needs "command" as a non-empty array of strings (argv, no shell)`,
      ]);
      const build = await cli(['build', 'broken']);
      assert.strictEqual(build.code, 2);
      assert.match(build.err, new RegExp(`warning: .*settings\\.json:5: dockerFork\\.targets\\[1\\] \\("broken"\\)[\\s\\S]*unknown target 'broken'`));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
