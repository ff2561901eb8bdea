import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './paths';

/** Lines of `source` that import the vscode module in any form. */
export function vscodeImports(source: string): string[] {
  return source.split('\n').filter((line) => /(?:from\s+|require\s*\(\s*|import\s*\(\s*|import\s+)['"]vscode['"]/.test(line));
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.[cm]?[jt]s$/.test(e.name) ? [p] : [];
  });
}

describe('layering', () => {
  it('recognises every way of importing vscode, and ignores look-alikes', () => {
    assert.strictEqual(vscodeImports("import * as vscode from 'vscode';").length, 1);
    assert.strictEqual(vscodeImports('import type { Uri } from "vscode";').length, 1);
    assert.strictEqual(vscodeImports("const v = require('vscode');").length, 1);
    assert.strictEqual(vscodeImports("const v = await import('vscode');").length, 1);
    assert.strictEqual(vscodeImports("import 'vscode';").length, 1);
    assert.strictEqual(vscodeImports("import { x } from 'vscode-languageclient';\n// the vscode layer").length, 0);
  });

  it('keeps src/core free of any vscode import', () => {
    const files = sourceFiles(path.join(REPO_ROOT, 'src/core'));
    assert.ok(files.length >= 3, 'src/core has sources');
    const offenders = files.flatMap((f) => vscodeImports(fs.readFileSync(f, 'utf8')).map((l) => `${path.relative(REPO_ROOT, f)}: ${l.trim()}`));
    assert.deepStrictEqual(offenders, []);
  });

  it('keeps src/cli free of any vscode import, so the CLI runs without an editor', () => {
    const files = sourceFiles(path.join(REPO_ROOT, 'src/cli'));
    const offenders = files.flatMap((f) => vscodeImports(fs.readFileSync(f, 'utf8')).map((l) => `${path.relative(REPO_ROOT, f)}: ${l.trim()}`));
    assert.deepStrictEqual(offenders, []);
  });
});
