import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOCKER_REPO_MARKERS } from '../../src/core/repo/markers';
import { REPO_ROOT } from './paths';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const commandIds: string[] = contributes.commands.map((c: { command: string }) => c.command);
const viewIds: string[] = contributes.views.dockerFork.map((v: { id: string }) => v.id);

describe('package.json manifest', () => {
  it('activates only on the files that mark a Docker repository, never on startup', () => {
    assert.deepStrictEqual(manifest.activationEvents, DOCKER_REPO_MARKERS.map((m) => `workspaceContains:${m}`));
  });

  it('contributes the Docker Fork view container with Repository, Build Targets, Vendored Dependencies and Machines', () => {
    assert.deepStrictEqual(contributes.viewsContainers.activitybar.map((c: { id: string; title: string }) => [c.id, c.title]), [['dockerFork', 'Docker Fork']]);
    assert.deepStrictEqual(
      contributes.views.dockerFork.map((v: { name: string }) => v.name),
      ['Repository', 'Build Targets', 'Vendored Dependencies', 'Machines'],
    );
    assert.ok(fs.existsSync(path.join(REPO_ROOT, contributes.viewsContainers.activitybar[0].icon)));
  });

  it('gives every view welcome content for when it is empty', () => {
    for (const id of viewIds) {
      assert.ok(contributes.viewsWelcome.some((w: { view: string }) => w.view === id), `no welcome content for ${id}`);
    }
  });

  it('puts every command under dockerFork.* in the "Docker Fork" category, once', () => {
    assert.strictEqual(new Set(commandIds).size, commandIds.length);
    for (const c of contributes.commands) {
      assert.match(c.command, /^dockerFork\.[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)?$/);
      assert.strictEqual(c.category, 'Docker Fork', c.command);
      assert.ok(c.title.length > 0);
    }
  });

  it('only refers to contributed or built-in commands from menus and welcome links', () => {
    const menuRefs: string[] = Object.values(contributes.menus).flatMap((items) => (items as Array<{ command: string }>).map((i) => i.command));
    const welcomeRefs: string[] = contributes.viewsWelcome.flatMap((w: { contents: string }) => [...w.contents.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]));
    for (const ref of [...menuRefs, ...welcomeRefs]) {
      assert.ok(commandIds.includes(ref) || ref.startsWith('vscode.') || ref.startsWith('workbench.'), `unknown command ${ref}`);
    }
  });

  it('keeps every setting under dockerFork.* with a description', () => {
    for (const [key, schema] of Object.entries(contributes.configuration.properties) as Array<[string, { description?: string; markdownDescription?: string }]>) {
      assert.match(key, /^dockerFork\./);
      assert.ok(schema.description || schema.markdownDescription, key);
    }
  });

  it('declares what works in an untrusted workspace and restricts the engine environment setting', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.strictEqual(trust.supported, 'limited');
    assert.match(trust.description, /trust/i);
    assert.ok(trust.restrictedConfigurations.includes('dockerFork.environment'));
  });

  it('points main and bin at the webpack bundles', () => {
    assert.strictEqual(manifest.main, './dist/extension.js');
    assert.strictEqual(manifest.bin.dockerfork, './bin/dockerfork.js');
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'dist/extension.js')), 'run npm run bundle first');
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'dist/cli.js')));
  });

  it('ships no tests or sources in the package (.vscodeignore)', () => {
    const ignore = fs.readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const pattern of ['src/**', 'test/**', 'out/**', 'bench/**', 'scripts/**', 'node_modules/**']) {
      assert.ok(ignore.includes(pattern), `.vscodeignore lacks ${pattern}`);
    }
  });
});
