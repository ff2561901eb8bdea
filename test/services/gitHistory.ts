// Real git histories for the clone tests and bench, made with the real git
// (test code; product code goes through simple-git).
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { run } from './processes';

/** Fixed identity and settings, so commits are made the same way on any machine. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Rig',
  GIT_AUTHOR_EMAIL: 'rig@localhost',
  GIT_COMMITTER_NAME: 'Rig',
  GIT_COMMITTER_EMAIL: 'rig@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_COUNT: '2',
  GIT_CONFIG_KEY_0: 'init.defaultBranch',
  GIT_CONFIG_VALUE_0: 'main',
  GIT_CONFIG_KEY_1: 'commit.gpgsign',
  GIT_CONFIG_VALUE_1: 'false',
};

/** `git ARGS` (in `cwd`), its stdout trimmed. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd, env: GIT_ENV })).trim();
}

/** Writes `files` (path → content) under `dir`, making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

/**
 * Fills the bare repository `bare` with a generated history on `main`:
 * `commits` commits each adding `filesPerCommit` files of `fileBytes` random
 * (incompressible) bytes, through `git fast-import`, then one pack. Large
 * enough histories take seconds to clone even on loopback.
 */
export async function generateHistory(bare: string, commits: number, filesPerCommit: number, fileBytes: number): Promise<{ objects: number; bytes: number }> {
  await git(path.dirname(bare), 'init', '-q', '--bare', bare);
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: bare, env: GIT_ENV, stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${err}`)))));
  const write = (chunk: string | Buffer) => (child.stdin.write(chunk) ? Promise.resolve() : new Promise<void>((r) => child.stdin.once('drain', () => r())));
  let mark = 0;
  for (let c = 0; c < commits; c++) {
    const blobs: number[] = [];
    for (let f = 0; f < filesPerCommit; f++) {
      const data = randomBytes(fileBytes);
      blobs.push(++mark);
      await write(`blob\nmark :${mark}\ndata ${data.length}\n`);
      await write(data);
      await write('\n');
    }
    const msg = `generated commit ${c}`;
    await write(`commit refs/heads/main\ncommitter Rig <rig@localhost> ${1_700_000_000 + c} +0000\ndata ${msg.length}\n${msg}\n`);
    for (let f = 0; f < blobs.length; f++) await write(`M 100644 :${blobs[f]} pkg/p${c}/f${f}.go\n`);
    await write('\n');
  }
  child.stdin.end();
  await done;
  await git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  return { objects: commits * (filesPerCommit + 2), bytes: commits * filesPerCommit * fileBytes };
}
