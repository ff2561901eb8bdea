import { applyOverrides, BuildRecipe } from '../build/recipe';
import { mergeUserTargets } from '../build/userTargets';
import { DetectedRepository } from './detect';
import { listTargets } from './targets';
import { BuildSettings } from './workspaceSettings';

/** Detected targets, plus the user's own, with the global overrides applied: what the views, tasks and CLI offer. */
export async function resolveTargets(repo: DetectedRepository, settings: BuildSettings): Promise<BuildRecipe[]> {
  const merged = mergeUserTargets(repo.root, await listTargets(repo), settings.targets);
  return merged.map((r) => applyOverrides(r, { privileged: settings.privileged, image: r.executor === 'container' && settings.image ? settings.image : undefined }));
}
