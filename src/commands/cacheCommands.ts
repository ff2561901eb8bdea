import * as os from 'os';
import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import type { CacheVolume } from '../core/build/cacheVolumes';
import { DetectedRepository } from '../core/repo/detect';
import { readSettings } from '../settings';
import { WorkspaceRepositories } from '../workspaceRepositories';

/**
 * Clears a repository's build caches (the Go build and module cache
 * volumes) on the engine its builds use. Refused while that repository
 * builds; the core also refuses when a build container of it exists, which
 * covers builds started from the CLI or another window.
 */
export function registerCacheCommands(repos: WorkspaceRepositories, builds: BuildService): vscode.Disposable[] {
  async function pickRepo(arg?: { repository?: string }): Promise<DetectedRepository | undefined> {
    const all = await repos.get();
    if (arg?.repository) return all.find((r) => r.name === arg.repository || r.root === arg.repository);
    if (all.length <= 1) return all[0];
    const picked = await vscode.window.showQuickPick(all.map((r) => ({ label: r.name, description: r.root, repo: r })), { placeHolder: 'Clear the build caches of which repository?' });
    return picked?.repo;
  }

  /** Returns the volumes removed (undefined when nothing was done), for tests and other extensions. */
  async function clearCache(arg?: { repository?: string }): Promise<CacheVolume[] | undefined> {
    const repo = await pickRepo(arg);
    if (!repo) {
      void vscode.window.showInformationMessage('No Docker repository in this workspace.');
      return undefined;
    }
    const busy = builds.runningIn(repo.root);
    if (busy) {
      void vscode.window.showWarningMessage(`${repo.name} is building ${busy.recipe.label}: stop the build before clearing its caches.`);
      return undefined;
    }
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo.root));
    const env = { ...process.env, ...readSettings(folder).environment };
    try {
      // Loaded on use, as the build runner is: dockerode is not activation's to pay for.
      const [{ clearCacheVolumes }, { resolveEngine }, { createDockerClient }] = await Promise.all([
        import(/* webpackChunkName: "build-runner" */ '../core/build/cacheVolumes'),
        import(/* webpackChunkName: "build-runner" */ '../core/engine/endpoint'),
        import(/* webpackChunkName: "build-runner" */ '../core/engine/client'),
      ]);
      const docker = await createDockerClient(await resolveEngine({ env, homeDir: os.homedir() }), { env });
      const removed = await clearCacheVolumes(docker, repo.root);
      void vscode.window.showInformationMessage(removed.length ? `Cleared ${removed.length} build cache volume(s) of ${repo.name}; the next build starts cold.` : `${repo.name} has no build caches.`);
      return removed;
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot clear the build caches of ${repo.name}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  return [vscode.commands.registerCommand('dockerFork.build.clearCache', (arg?: { repository?: string }) => clearCache(arg))];
}
