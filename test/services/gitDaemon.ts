import * as fs from 'fs';
import * as path from 'path';
import { Daemon, freePort, portOpen, run, startDaemon, waitUntil } from './processes';

/** `git daemon` on 127.0.0.1 serving bare repositories from a temp dir, push enabled. */
export interface GitDaemon {
  readonly port: number;
  readonly baseDir: string;
  readonly daemon: Daemon;
  /** `git://127.0.0.1:PORT/NAME.git` */
  url(name: string): string;
  /**
   * Creates a bare repository NAME.git holding one commit of `files`
   * (path -> content) on `main`, and returns its git:// URL.
   */
  createRepository(name: string, files: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

const GIT_IDENTITY = ['-c', 'user.name=Rig', '-c', 'user.email=rig@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false'];

export async function startGitDaemon(root: string, git: string): Promise<GitDaemon> {
  const baseDir = path.join(root, 'git');
  fs.mkdirSync(baseDir, { recursive: true });
  const port = await freePort();
  const daemon = startDaemon(
    'git daemon',
    git,
    ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${baseDir}`, '--listen=127.0.0.1', `--port=${port}`, baseDir],
    path.join(root, 'git-daemon.log'),
  );
  try {
    await waitUntil(`git:// on 127.0.0.1:${port}`, () => portOpen(port), daemon, 30_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  const url = (name: string) => `git://127.0.0.1:${port}/${name}.git`;
  return {
    port,
    baseDir,
    daemon,
    url,
    async createRepository(name, files) {
      const bare = path.join(baseDir, `${name}.git`);
      await run(git, [...GIT_IDENTITY, 'init', '-q', '--bare', bare]);
      const work = fs.mkdtempSync(path.join(root, 'work-'));
      try {
        await run(git, [...GIT_IDENTITY, 'init', '-q', work]);
        for (const [rel, content] of Object.entries(files)) {
          fs.mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
          fs.writeFileSync(path.join(work, rel), content);
        }
        await run(git, [...GIT_IDENTITY, '-C', work, 'add', '-A']);
        await run(git, [...GIT_IDENTITY, '-C', work, 'commit', '-q', '-m', `Initial ${name}`]);
        await run(git, [...GIT_IDENTITY, '-C', work, 'push', '-q', bare, 'HEAD:refs/heads/main']);
        await run(git, ['--git-dir', bare, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      return url(name);
    },
    stop: () => daemon.stop(),
  };
}
