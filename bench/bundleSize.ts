// Figure: what the extension costs to load: size of the bundles, raw and gzipped.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { printTable } from './table';

const REPO_ROOT = path.resolve(__dirname, '../..');

export function bundleSizeBench(): void {
  const files = ['dist/extension.js', 'dist/extension.build-runner.js', 'dist/cli.js', 'dist/docker-fork-workbench.vsix'];
  const rows = files.map((f) => {
    const bytes = fs.readFileSync(path.join(REPO_ROOT, f));
    return [f, (bytes.length / 1024).toFixed(1), f.endsWith('.vsix') ? '(zip)' : (zlib.gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)];
  });
  process.stdout.write('\nBundle size (webpack --mode production)\n\n');
  printTable(['file', 'KiB', 'gzip KiB'], rows);
}

if (require.main === module) bundleSizeBench();
