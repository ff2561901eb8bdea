import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import { BuildRecipe } from '../core/build/recipe';
import { DetectedRepository } from '../core/repo/detect';
import { WorkspaceRepositories } from '../workspaceRepositories';
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
      for (const recipe of await this.builds.targets(repo)) tasks.push(this.taskFor(repo, recipe));
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as BuildTaskDefinition;
    const found = await this.find(def);
    if (!found) return undefined;
    // Keep the user's definition object, as VS Code requires for tasks.json tasks.
    return this.taskFor(found.repo, found.recipe, def, task.scope);
  }

  async find(def: BuildTaskDefinition): Promise<{ repo: DetectedRepository; recipe: BuildRecipe } | undefined> {
    const repos = await this.repos.get();
    const repo = def.repository ? repos.find((r) => r.root === def.repository || r.name === def.repository) : repos[0];
    const recipe = repo && (await this.builds.targets(repo)).find((t) => t.id === def.target);
    return repo && recipe ? { repo, recipe } : undefined;
  }

  taskFor(repo: DetectedRepository, recipe: BuildRecipe, definition?: BuildTaskDefinition, scope?: vscode.Task['scope']): vscode.Task {
    const def: BuildTaskDefinition = definition ?? { type: TASK_TYPE, target: recipe.id, repository: repo.name };
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo.root));
    const task = new vscode.Task(
      def,
      scope ?? folder ?? vscode.TaskScope.Workspace,
      `${repo.name}: ${recipe.label}`,
      TASK_TYPE,
      new vscode.CustomExecution(async () => new BuildPseudoterminal(this.builds, repo, recipe)),
    );
    task.group = vscode.TaskGroup.Build;
    task.detail = recipe.description;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    return task;
  }
}
