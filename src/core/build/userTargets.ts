import { BuildRecipe } from './recipe';
import { MOBY_SOURCE_PATH } from '../repo/targets';

/** A target as written in the `dockerFork.targets` setting. */
export interface UserTargetSetting {
  id: string;
  label?: string;
  description?: string;
  executor?: 'container' | 'host';
  /** argv, no shell; optional when overriding a detected target. */
  command?: string[];
  /** Container targets: an existing image... */
  image?: string;
  /** ...or a Dockerfile in the repository to build the builder image from. */
  dockerfile?: string;
  dockerTarget?: string;
  sourcePath?: string;
  privileged?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  artifacts?: string[];
  default?: boolean;
}

/** A setting entry that cannot become a recipe, with the reason. */
export class UserTargetError extends Error {
  override name = 'UserTargetError';
}

function check(t: UserTargetSetting, index: number, overridesDetected: boolean): void {
  const where = `dockerFork.targets[${index}]`;
  if (!t || typeof t !== 'object') throw new UserTargetError(`${where} must be an object`);
  if (typeof t.id !== 'string' || !t.id.trim()) throw new UserTargetError(`${where} needs an "id"`);
  if (!(overridesDetected && t.command === undefined) && (!Array.isArray(t.command) || t.command.length === 0 || t.command.some((c) => typeof c !== 'string'))) {
    throw new UserTargetError(`${where} ("${t.id}") needs "command" as a non-empty array of strings (argv, no shell)`);
  }
  if (t.executor !== undefined && t.executor !== 'container' && t.executor !== 'host') throw new UserTargetError(`${where} ("${t.id}"): "executor" must be "container" or "host"`);
  if (t.artifacts !== undefined && (!Array.isArray(t.artifacts) || t.artifacts.some((a) => typeof a !== 'string'))) throw new UserTargetError(`${where} ("${t.id}"): "artifacts" must be an array of paths`);
  if (t.env !== undefined && (typeof t.env !== 'object' || t.env === null || Object.values(t.env).some((v) => typeof v !== 'string'))) throw new UserTargetError(`${where} ("${t.id}"): "env" must map names to strings`);
}

/** A settings entry that could not become a recipe: the others still do. */
export interface UserTargetProblem {
  /** Index in `dockerFork.targets`. */
  readonly index: number;
  readonly id?: string;
  readonly message: string;
}

/**
 * Adds the user's targets to the detected ones. An entry with the id of a
 * detected target overrides only the fields it sets; a new id adds a target.
 * A malformed entry is left out and reported, so one typo never hides the
 * other targets.
 */
export function mergeUserTargets(repoRoot: string, detected: readonly BuildRecipe[], settings: readonly UserTargetSetting[]): { recipes: BuildRecipe[]; problems: UserTargetProblem[] } {
  const out = [...detected];
  const problems: UserTargetProblem[] = [];
  settings.forEach((t, i) => {
    try {
      mergeOne(repoRoot, out, t, i);
    } catch (e) {
      if (!(e instanceof UserTargetError)) throw e;
      problems.push({ index: i, id: t && typeof t === 'object' && typeof t.id === 'string' ? t.id : undefined, message: e.message });
    }
  });
  return { recipes: out, problems };
}

function mergeOne(repoRoot: string, out: BuildRecipe[], t: UserTargetSetting, i: number): void {
  const at = out.findIndex((r) => r.id === t?.id);
  check(t, i, at >= 0);
  const base = at >= 0 ? out[at] : undefined;
  const executor = t.executor ?? base?.executor ?? (t.image || t.dockerfile ? 'container' : 'host');
  const common = {
    id: t.id,
    label: t.label ?? base?.label ?? t.id,
    description: t.description ?? base?.description ?? `user target: ${(t.command ?? []).join(' ')}`,
    repoRoot,
    env: { ...(base?.env ?? {}), ...(t.env ?? {}) },
    artifacts: t.artifacts ?? base?.artifacts ?? [],
    isDefault: t.default ?? base?.isDefault,
    command: t.command ?? base!.command,
  };
  let recipe: BuildRecipe;
  if (executor === 'host') {
    recipe = { ...common, executor: 'host', cwd: t.cwd ?? (base?.executor === 'host' ? base.cwd : '.') };
  } else {
    const baseImage = base?.executor === 'container' ? base.image : undefined;
    const image = t.image
      ? ({ kind: 'image', name: t.image } as const)
      : t.dockerfile
        ? ({ kind: 'dockerfile', dockerfile: t.dockerfile, context: '.', tag: `dockerfork-${t.id}`.toLowerCase().replace(/[^a-z0-9_.-]/g, '-'), target: t.dockerTarget } as const)
        : baseImage;
    if (!image) throw new UserTargetError(`dockerFork.targets[${i}] ("${t.id}") runs in a container: set "image" or "dockerfile"`);
    recipe = {
      ...common,
      executor: 'container',
      image,
      sourcePath: t.sourcePath ?? (base?.executor === 'container' ? base.sourcePath : MOBY_SOURCE_PATH),
      privileged: t.privileged ?? (base?.executor === 'container' ? base.privileged : false),
    };
  }
  if (recipe.isDefault) out.forEach((r, j) => j !== at && r.isDefault && (out[j] = { ...r, isDefault: false }));
  if (at >= 0) out[at] = recipe;
  else out.push(recipe);
}
