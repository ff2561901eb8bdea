import * as fs from 'fs';
import * as path from 'path';
import { run } from '../services/processes';

export const FIXTURE_FORK = path.resolve(__dirname, '../../../test/fixtures/moby-fork');

/**
 * A copy of the fixture fork as a real git repository (one commit on main,
 * an `upstream` remote name like a real fork), so views see a real checkout.
 */
export async function makeSampleWorkspace(parent: string, name = 'moby-fork', settings?: Record<string, unknown>): Promise<string> {
  const dir = path.join(parent, name);
  fs.cpSync(FIXTURE_FORK, dir, { recursive: true });
  if (settings) {
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  }
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=Docker Fork Workbench', '-c', 'user.email=sample@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-C', dir, ...args]);
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Sample fork of moby');
  return dir;
}

/**
 * Workspace settings for machines that refuse privileged containers (these
 * do), plus two targets of the user's own that the tests drive: one that
 * fails with a Go compiler error and one that runs until stopped.
 */
export const TEST_WORKSPACE_SETTINGS = {
  'dockerFork.build.privileged': false,
  'dockerFork.targets': [
    {
      id: 'vet',
      description: 'a build that fails with a Go compiler error',
      command: ['sh', '-c', 'echo "# github.com/docker/docker/daemon" >&2; echo "/go/src/github.com/docker/docker/daemon/daemon.go:5:7: undefined: Versoin" >&2; exit 2'],
      image: 'docker-dev:moby-fork',
    },
    { id: 'slow', description: 'a build that runs until stopped', command: ['sh', '-c', 'echo "Step 1/3 : waiting"; sleep 300'], image: 'docker-dev:moby-fork' },
  ],
};
