import * as fs from 'fs';
import * as path from 'path';
import { run } from '../services/processes';

export const FIXTURE_FORK = path.resolve(__dirname, '../../../test/fixtures/moby-fork');

/**
 * A copy of the fixture fork as a real git repository (one commit on main,
 * an `upstream` remote name like a real fork), so views see a real checkout.
 */
export async function makeSampleWorkspace(parent: string, name = 'moby-fork'): Promise<string> {
  const dir = path.join(parent, name);
  fs.cpSync(FIXTURE_FORK, dir, { recursive: true });
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=Docker Fork Workbench', '-c', 'user.email=sample@localhost', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-C', dir, ...args]);
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Sample fork of moby');
  return dir;
}
