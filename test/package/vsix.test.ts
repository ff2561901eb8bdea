import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import yauzl from 'yauzl';
import { ensureCodeServer } from '../runners/codeServerInstall';
import { codeServerEnv } from '../runners/codeServerHost';
import { run } from '../services/processes';
import { makeRigDir, removeRigDir } from '../services/tempRoot';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const VSIX = path.join(REPO_ROOT, 'dist/docker-fork-workbench.vsix');

function entries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

describe('the .vsix from npm run package', function () {
  this.timeout(600_000);

  it('holds the bundles, manifest, CLI and media', async () => {
    const names = await entries(VSIX);
    for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/extension.build-runner.js', 'extension/dist/cli.js', 'extension/bin/dockerfork.js', 'extension/media/docker-fork.svg', 'extension/readme.md']) {
      assert.ok(names.some((n) => n.toLowerCase() === needed.toLowerCase()), `${needed} missing from the vsix: ${names.join(', ')}`);
    }
    // Grammars and language configurations the manifest names (syntaxes/) must ship, or highlighting silently breaks.
    const contributes = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).contributes;
    const referenced: string[] = [...(contributes.grammars ?? []).map((g: { path: string }) => g.path), ...(contributes.languages ?? []).flatMap((l: { configuration?: string }) => (l.configuration ? [l.configuration] : []))];
    assert.ok(referenced.length > 0);
    for (const file of referenced) assert.ok(names.includes(`extension/${path.posix.normalize(file)}`), `${file} missing from the vsix`);
  });

  it('holds no sources, tests, compiled tests, fixtures or node_modules', async () => {
    const names = await entries(VSIX);
    const unwanted = names.filter((n) => /^extension\/(src|test|out|bench|scripts|node_modules|test-results)\//.test(n) || /\.ts$/.test(n) || /\.map$/.test(n));
    assert.deepStrictEqual(unwanted, []);
  });

  it('installs into a real VS Code server (code-server --install-extension) and is listed', async () => {
    const pkg = await ensureCodeServer((l) => process.stderr.write(`[package] ${l}\n`));
    const root = makeRigDir('vsix');
    try {
      const extensionsDir = path.join(root, 'extensions');
      const cli = path.join(pkg, 'out/node/entry.js');
      const common = ['--extensions-dir', extensionsDir, '--user-data-dir', path.join(root, 'user-data')];
      const env = { ...process.env, ...codeServerEnv(root) };
      await run(process.execPath, [cli, ...common, '--install-extension', VSIX], { env });
      const listed = await run(process.execPath, [cli, ...common, '--list-extensions', '--show-versions'], { env });
      const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
      assert.match(listed, new RegExp(`^docker-fork-workbench\\.docker-fork-workbench@${version.replace(/\./g, '\\.')}$`, 'm'));
      const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith('docker-fork-workbench.'));
      assert.ok(installed && fs.existsSync(path.join(extensionsDir, installed, 'dist/extension.js')));
    } finally {
      removeRigDir(root);
    }
  });
});
