import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tarStream from 'tar-stream';
import { contextFingerprint, listContextFiles, packFiles } from '../../src/core/build/context';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfw-unit-ctx-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

async function untar(stream: NodeJS.ReadableStream): Promise<Map<string, { content: string; uid: number; type: string }>> {
  const out = new Map<string, { content: string; uid: number; type: string }>();
  const extract = tarStream.extract();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      out.set(header.name, { content: Buffer.concat(chunks).toString('utf8'), uid: header.uid ?? -1, type: header.type ?? 'file' });
      next();
    });
  });
  await new Promise((resolve, reject) => {
    extract.on('finish', () => resolve(undefined)).on('error', reject);
    stream.pipe(extract as unknown as NodeJS.WritableStream);
  });
  return out;
}

describe('build context', () => {
  it('honours .dockerignore like the docker CLI: patterns, ** and exceptions, but always sends Dockerfile and .dockerignore', async () => {
    const root = tree({
      '.dockerignore': '# built things\nbundles\n**/*.tmp\nDockerfile\n.dockerignore\ndocs/*\n!docs/keep.md\n',
      Dockerfile: 'FROM scratch\n',
      'main.go': 'package main\n',
      'bundles/binary-daemon/dockerd': 'x',
      'pkg/a/cache.tmp': 'x',
      'pkg/a/a.go': 'package a\n',
      'docs/drop.md': 'x',
      'docs/keep.md': 'kept\n',
    });
    try {
      const files = (await listContextFiles(root)).map((f) => f.rel);
      assert.deepStrictEqual(files, ['.dockerignore', 'Dockerfile', 'docs/keep.md', 'main.go', 'pkg/a/a.go']);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });

  it('packs exactly the listed files, with contents, symlinks, root ownership and an optional prefix', async () => {
    const root = tree({ 'a.txt': 'alpha\n', 'big.bin': 'b'.repeat(2 * 1024 * 1024), 'dir/b.txt': 'beta\n' });
    fs.symlinkSync('a.txt', path.join(root, 'link'));
    try {
      const files = await listContextFiles(root);
      const entries = await untar(packFiles(root, files, '/go/src/x'));
      assert.deepStrictEqual([...entries.keys()].sort(), ['go/src/x/a.txt', 'go/src/x/big.bin', 'go/src/x/dir/b.txt', 'go/src/x/link']);
      assert.strictEqual(entries.get('go/src/x/dir/b.txt')?.content, 'beta\n');
      assert.strictEqual(entries.get('go/src/x/big.bin')?.content.length, 2 * 1024 * 1024);
      assert.strictEqual(entries.get('go/src/x/link')?.type, 'symlink');
      assert.ok([...entries.values()].every((e) => e.uid === 0));
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });

  it('fingerprints what feeds an image: same tree, same print; a touched file or another target, another', async () => {
    const root = tree({ Dockerfile: 'FROM scratch\n', 'a.go': 'package a\n' });
    try {
      const first = contextFingerprint(await listContextFiles(root), 'dev');
      assert.strictEqual(contextFingerprint(await listContextFiles(root), 'dev'), first);
      assert.notStrictEqual(contextFingerprint(await listContextFiles(root), 'final'), first);
      fs.appendFileSync(path.join(root, 'a.go'), '// changed\n');
      assert.notStrictEqual(contextFingerprint(await listContextFiles(root), 'dev'), first);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });
});
