import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import { BuildRecipe } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';
import { WorkspaceRepositories } from '../workspaceRepositories';
import { formatProblem } from '../core/repo/workspaceSettings';
import { BuildPseudoterminal } from './buildPseudoterminal';

export const TASK_TYPE = 'dockerfork';

/** tasks.json: `{ "type": "dockerfork", "target": "binary", "repository": "moby" }`. */
export interface BuildTaskDefinition extends vscode.TaskDefinition {
  readonly type: typeof TASK_TYPE;
  readonly target: string;
  /** Folder name or absolute path of the repository; the first one when omitted. */
  readonly repository?: string;
}

/** Every build target as a task, so builds show in Run Task and chain in tasks.json. */
export class BuildTaskProvider implements vscode.TaskProvider {
  constructor(private readonly repos: WorkspaceRepositories, private readonly builds: BuildService) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const repo of await this.repos.get()) {
      for (const recipe of (await this.builds.targets(repo)).recipes) tasks.push(this.taskFor(repo, recipe));
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as BuildTaskDefinition;
    const found = await this.find(def);
    // A target that is gone (removed from the settings, a repository closed) still
    // resolves: Run Task's recent entries and tasks.json would otherwise fail with
    // VS Code's "no task provider" error; this one says what is missing instead.
    if (!found) return this.missingTask(def, task.scope);
    // Keep the user's definition object, as VS Code requires for tasks.json tasks.
    return this.taskFor(found.repo, found.recipe, def, task.scope);
  }

  async find(def: BuildTaskDefinition): Promise<{ repo: DetectedRepository; recipe: BuildRecipe } | undefined> {
    const repos = await this.repos.get();
    const repo = def.repository ? repos.find((r) => r.root === def.repository || r.name === def.repository) : repos[0];
    const recipe = repo && (await this.builds.targets(repo)).recipes.find((t) => t.id === def.target);
    return repo && recipe ? { repo, recipe } : undefined;
  }

  private async missingTask(def: BuildTaskDefinition, scope: vscode.Task['scope']): Promise<vscode.Task> {
    const repos = await this.repos.get();
    const repo = def.repository ? repos.find((r) => r.root === def.repository || r.name === def.repository) : repos[0];
    const list = repo && (await this.builds.targets(repo));
    const message = !repo
      ? `No Docker repository '${def.repository ?? ''}' in this workspace: this task's repository is gone.`
      : `Build target '${def.target}' no longer exists in ${repo.name}. Targets: ${list?.recipes.map((t) => t.id).join(', ') || 'none'}.` +
        (list?.problems.length ? ` Settings problems: ${list.problems.map(formatProblem).join(' ')}` : '') +
        ' Remove this task from tasks.json, or add the target back to dockerFork.targets.';
    const task = new vscode.Task(def, scope ?? vscode.TaskScope.Workspace, `${repo?.name ?? def.repository ?? 'docker'}: ${def.target}`, TASK_TYPE, new vscode.CustomExecution(async () => new MessagePseudoterminal(message)));
    task.detail = 'target no longer exists';
    return task;
  }

  /**
   * The task of a target. `started`: a terminal whose build has already
   * begun (see BuildPseudoterminal.start), handed to the task's first run;
   * a rerun of the task gets a new terminal and build, as any run does.
   */
  taskFor(repo: DetectedRepository, recipe: BuildRecipe, definition?: BuildTaskDefinition, scope?: vscode.Task['scope'], started?: BuildPseudoterminal): vscode.Task {
    let first = started;
    const def: BuildTaskDefinition = definition ?? { type: TASK_TYPE, target: recipe.id, repository: repo.name };
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo.root));
    const task = new vscode.Task(
      def,
      scope ?? folder ?? vscode.TaskScope.Workspace,
      `${repo.name}: ${recipe.label}`,
      TASK_TYPE,
      new vscode.CustomExecution(async () => {
        const terminal = first ?? new BuildPseudoterminal(this.builds, repo, recipe);
        first = undefined;
        return terminal;
      }),
    );
    task.group = vscode.TaskGroup.Build;
    task.detail = recipe.description;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    return task;
  }
}

/** A task terminal that only says why it cannot build, and ends with exit code 1. */
class MessagePseudoterminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;

  constructor(private readonly message: string) {}

  open(): void {
    this.writer.fire(`\u001b[31m${this.message.replace(/\r?\n/g, '\r\n')}\u001b[0m\r\n`);
    this.closer.fire(1);
  }

  close(): void {}
}
