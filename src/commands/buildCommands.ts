import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import { BuildResult } from '../core/build/events';
import { BuildRecipe } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';
import { formatProblem } from '../core/repo/workspaceSettings';
import { BuildPseudoterminal } from '../tasks/buildPseudoterminal';
import { BuildTaskProvider } from '../tasks/buildTaskProvider';
import { BuildTargetsNode } from '../views/buildTargetsView';
import { WorkspaceRepositories } from '../workspaceRepositories';

/** What callers may pass: a tree node, or `{ repository, target }` from keybindings, tasks and tests. */
type TargetArg = BuildTargetsNode | { repository?: string; target?: string } | undefined;

export function registerBuildCommands(repos: WorkspaceRepositories, builds: BuildService, tasks: BuildTaskProvider, log: vscode.LogOutputChannel): vscode.Disposable[] {
  async function pickRepo(name?: string): Promise<DetectedRepository | undefined> {
    const all = await repos.get();
    if (name) return all.find((r) => r.name === name || r.root === name);
    if (all.length <= 1) return all[0];
    const picked = await vscode.window.showQuickPick(all.map((r) => ({ label: r.name, description: r.root, repo: r })), { placeHolder: 'Which repository?' });
    return picked?.repo;
  }

  async function resolveTarget(arg: TargetArg, useDefault: boolean): Promise<{ repo: DetectedRepository; recipe: BuildRecipe } | undefined> {
    if (arg && 'type' in arg && arg.type === 'target') return { repo: arg.repo, recipe: arg.recipe };
    const named = arg && !('type' in arg) ? arg : {};
    const repo = await pickRepo(named.repository);
    if (!repo) {
      void vscode.window.showWarningMessage(named.repository ? `No Docker repository '${named.repository}' in this workspace.` : 'No Docker repository in this workspace.');
      return undefined;
    }
    const { recipes: targets, problems } = await builds.targets(repo);
    let recipe = named.target ? targets.find((t) => t.id === named.target) : useDefault ? targets.find((t) => t.isDefault) : undefined;
    if (!recipe && (named.target || useDefault)) {
      // Say why: a target named in a broken settings entry is not "unknown", it has a problem at a line.
      const related = problems.filter((p) => !named.target || p.message.includes(`("${named.target}")`));
      const why = related.length ? ` ${related.map(formatProblem).join(' ')}` : '';
      const what = named.target ? `Unknown build target '${named.target}' in ${repo.name}.` : `${repo.name} has no default build target.`;
      if (named.target || !targets.length) {
        void vscode.window.showErrorMessage(`${what}${why} Targets: ${targets.map((t) => t.id).join(', ') || 'none'}.`);
        return undefined;
      }
    }
    if (!recipe) {
      const picked = await vscode.window.showQuickPick(targets.map((t) => ({ label: t.label, description: t.isDefault ? 'default' : '', detail: t.description, recipe: t })), { placeHolder: `Build which target of ${repo.name}?` });
      recipe = picked?.recipe;
    }
    return recipe && { repo, recipe };
  }

  /** Runs the target as a task and resolves with its result (undefined if it did not start). */
  async function build(arg: TargetArg, useDefault: boolean): Promise<BuildResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      // Not awaited: the command returns (undefined, nothing built) while the notification waits for the user.
      void vscode.window.showWarningMessage('Builds run code from this workspace. Trust the workspace to build.', 'Manage Workspace Trust').then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    const chosen = await resolveTarget(arg, useDefault);
    if (!chosen) return undefined;
    const busy = builds.runningIn(chosen.repo.root);
    if (busy) {
      // Say what will happen: the running build is cancelled and the target asked for is built, which may be another one.
      const same = busy.recipe.id === chosen.recipe.id;
      const action = same ? `Stop and Restart ${busy.recipe.label}` : `Stop ${busy.recipe.label} and Build ${chosen.recipe.label}`;
      const detail = same
        ? `The running build of ${busy.recipe.label} will be cancelled and started again from the beginning.`
        : `The running build of ${busy.recipe.label} will be cancelled (its results are lost), then ${chosen.recipe.label} will be built.`;
      const choice = await vscode.window.showWarningMessage(`${chosen.repo.name} is already building ${busy.recipe.label}.`, { modal: true, detail }, action);
      if (choice !== action) return undefined;
      await builds.stop(chosen.repo.root);
    }
    // The build starts below, while the workbench makes the task's terminal
    // (which takes it longer than starting a container); the terminal shows
    // the output from the start once it opens.
    const terminal = new BuildPseudoterminal(builds, chosen.repo, chosen.recipe);
    const task = tasks.taskFor(chosen.repo, chosen.recipe, undefined, undefined, terminal);
    // Resolves once the build has finished and VS Code has ended its task, so a caller
    // that starts the next build at once does not race VS Code still closing this one
    // (seen to leave the next task's terminal unopened); and also when the task ends
    // without our build having run (refused as busy, its terminal closed first).
    // Assigned once the task runs; read by the listener, which may fire before then.
    let execution: vscode.TaskExecution | undefined;
    const subs: vscode.Disposable[] = [];
    const finished = new Promise<BuildResult | undefined>((resolve) => {
      let result: BuildResult | undefined;
      let ended = false;
      subs.push(
        builds.onDidFinish((f) => {
          if (f.repo.root !== chosen.repo.root || f.recipe.id !== chosen.recipe.id) return;
          result = f.result;
          if (ended) resolve(result);
          else setTimeout(() => resolve(result), 5000); // the task's end should follow at once
        }),
        vscode.tasks.onDidEndTask((e) => {
          if (e.execution !== execution && e.execution.task.name !== task.name) return;
          ended = true;
          if (result) resolve(result);
          else setTimeout(() => resolve(result), 500);
        }),
      );
    }).finally(() => subs.forEach((s) => s.dispose()));
    terminal.start();
    try {
      execution = await vscode.tasks.executeTask(task);
    } catch (e) {
      // No task, so no terminal: the build it was to show must not run unseen.
      terminal.close();
      subs.forEach((s) => s.dispose());
      throw e;
    }
    return finished;
  }

  async function stop(arg: TargetArg): Promise<void> {
    const repoRoot = arg && 'type' in arg && arg.type !== 'error' ? arg.repo.root : arg && !('type' in arg) && arg.repository ? (await pickRepo(arg.repository))?.root : builds.allRunning()[0]?.repo.root;
    if (!repoRoot || !builds.runningIn(repoRoot)) {
      void vscode.window.showInformationMessage('No build is running.');
      return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Stopping build…' }, () => builds.stop(repoRoot));
  }

  return [
    vscode.commands.registerCommand('dockerFork.build.run', (arg?: TargetArg) => build(arg, false)),
    vscode.commands.registerCommand('dockerFork.build.runDefault', (arg?: TargetArg) => build(arg, true)),
    vscode.commands.registerCommand('dockerFork.build.stop', (arg?: TargetArg) => stop(arg)),
    vscode.commands.registerCommand('dockerFork.build.showRunning', async () => {
      const running = builds.allRunning()[0];
      if (!running) return;
      const choice = await vscode.window.showQuickPick(['Show Output', 'Stop Build'], { placeHolder: `${running.repo.name}: ${running.recipe.label}` });
      if (choice === 'Stop Build') await builds.stop(running.repo.root);
      if (choice === 'Show Output') {
        const terminal = vscode.window.terminals.find((t) => t.name.includes(`${running.repo.name}: ${running.recipe.label}`));
        terminal?.show();
      }
    }),
    vscode.commands.registerCommand('dockerFork.artifact.reveal', (node?: BuildTargetsNode) => {
      if (node?.type !== 'artifact') return;
      const uri = vscode.Uri.file(node.artifact.path);
      const desktop = vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName;
      return vscode.commands.executeCommand(desktop ? 'revealFileInOS' : 'revealInExplorer', uri);
    }),
    vscode.commands.registerCommand('dockerFork.artifact.copyPath', async (node?: BuildTargetsNode) => {
      if (node?.type !== 'artifact') return;
      await vscode.env.clipboard.writeText(node.artifact.path);
      log.info(`Copied ${node.artifact.path}`);
    }),
  ];
}
