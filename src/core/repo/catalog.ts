import { applyOverrides, BuildRecipe } from '../build/recipe';
import { mergeUserTargets } from '../build/userTargets';
import { DetectedRepository } from './detect';
import { listTargets } from './targets';
import { BuildSettings, SettingsProblem } from './workspaceSettings';

/** What the views, tasks, status bar and CLI offer: every target that could be made, and what is wrong with the rest. */
export interface TargetList {
  readonly recipes: BuildRecipe[];
  /** Problems of the settings file and of single `dockerFork.targets` entries, each with file and line. */
  readonly problems: readonly SettingsProblem[];
}

/** Detected targets, plus the user's own, with the global overrides applied. Never throws for bad settings. */
export async function resolveTargets(repo: DetectedRepository, settings: BuildSettings): Promise<TargetList> {
  const merged = mergeUserTargets(repo.root, await listTargets(repo), settings.targets);
  const recipes = merged.recipes.map((r) => applyOverrides(r, { privileged: settings.privileged, builder: settings.builder, image: r.executor === 'container' && settings.image ? settings.image : undefined }));
  const file = settings.file ?? 'dockerFork.targets';
  const entryProblems = merged.problems.map((p) => ({ file, line: settings.targetLines?.[p.index], message: p.message }));
  return { recipes, problems: [...settings.problems, ...entryProblems] };
}
