import * as fs from 'fs';
import * as path from 'path';
import { run } from '../services/processes';

export const FIXTURE_FORK = path.resolve(__dirname, '../../../test/fixtures/moby-fork');

/** The vendor.conf line the sample fork changed from upstream's copy, and what upstream has. */
export const SAMPLE_FORKED_LINE = { module: 'github.com/gorilla/mux', upstream: 'github.com/gorilla/mux v1.1', fork: 'github.com/gorilla/mux v1.1-fork https://git.example.org/sample/mux.git' };

/**
 * A copy of the fixture fork as a real git repository, so views see a real
 * checkout: main is upstream's commit (also in an `upstream` remote, a bare
 * repository beside it, fetched as upstream/main) plus one fork commit that
 * points one vendor.conf entry at a fork, so "Reset to upstream" has a
 * different upstream copy to go back to.
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
  const upstream = path.join(parent, `${name}-upstream.git`);
  await run('git', ['clone', '-q', '--bare', dir, upstream]);
  await git('remote', 'add', 'upstream', upstream);
  await git('fetch', '-q', 'upstream');
  await git('remote', 'set-head', 'upstream', 'main');
  const conf = path.join(dir, 'vendor.conf');
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(`${SAMPLE_FORKED_LINE.upstream}\n`, `${SAMPLE_FORKED_LINE.fork}\n`));
  await git('commit', '-q', '-a', '-m', `Point ${SAMPLE_FORKED_LINE.module} at our fork`);
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
