/**
 * A build target as plain data: detection produces recipes, settings can add
 * or override them, and the runner executes any recipe without knowing
 * which kind of repository it came from.
 */
export type BuildRecipe = ContainerRecipe | HostRecipe;

interface RecipeBase {
  /** Unique within its repository, e.g. `binary`. */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Absolute repository root. */
  readonly repoRoot: string;
  readonly env: Readonly<Record<string, string>>;
  /** Where artifacts land, relative to the repository root (files or folders). */
  readonly artifacts: readonly string[];
  /** Marked as the default target of its repository. */
  readonly isDefault?: boolean;
}

/** Run `command` in a container of the builder image, with the source at `sourcePath`. */
export interface ContainerRecipe extends RecipeBase {
  readonly executor: 'container';
  readonly image: ImageSource;
  readonly command: readonly string[];
  /** Where the repository is mounted or copied in the container. */
  readonly sourcePath: string;
  /** Upstream Makefiles always run privileged; builds work without on most targets. */
  readonly privileged: boolean;
  /**
   * Named volumes kept between builds (upstream's Makefile mounts
   * `docker-dev-cache:/root/.cache` and `docker-mod-cache:/go/pkg/mod`), one
   * set per repository and builder image, so a rebuild is incremental.
   */
  readonly caches?: readonly CacheMount[];
}

/** A folder of the build container kept in a named volume between builds. */
export interface CacheMount {
  /** Short name, part of the volume's name, e.g. `go-build`. */
  readonly id: string;
  /** Absolute path in the container, e.g. `/root/.cache`. */
  readonly path: string;
}

/** Run `command` on this machine in the repository (bake, docker-ce `make static`...). */
export interface HostRecipe extends RecipeBase {
  readonly executor: 'host';
  readonly command: readonly string[];
  /** Relative to the repository root. */
  readonly cwd: string;
}

/** Which builder makes builder images: BuildKit where the engine has it, or the legacy one. */
export type BuilderChoice = 'auto' | 'buildkit' | 'legacy';

export function isBuilderChoice(v: unknown): v is BuilderChoice {
  return v === 'auto' || v === 'buildkit' || v === 'legacy';
}

/** How the builder image is obtained. */
export type ImageSource =
  /** Built from a Dockerfile in the repository, tagged `tag`; reused when nothing that feeds it changed. */
  | { readonly kind: 'dockerfile'; readonly dockerfile: string; readonly context: string; readonly tag: string; readonly target?: string; readonly buildArgs?: Readonly<Record<string, string>>; readonly builder?: BuilderChoice }
  /** An image that must already exist in the engine (a user's own dev image). */
  | { readonly kind: 'image'; readonly name: string };

/** Recipe fields a user may override from settings or the command line. */
export interface RecipeOverrides {
  readonly image?: string;
  readonly privileged?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly builder?: BuilderChoice;
}

export function applyOverrides(recipe: BuildRecipe, o: RecipeOverrides): BuildRecipe {
  const env = { ...recipe.env, ...(o.env ?? {}) };
  if (recipe.executor === 'host') return { ...recipe, env };
  return {
    ...recipe,
    env,
    image: o.image ? { kind: 'image', name: o.image } : o.builder && recipe.image.kind === 'dockerfile' ? { ...recipe.image, builder: o.builder } : recipe.image,
    privileged: o.privileged ?? recipe.privileged,
  };
}

/** The builder image's name, for logs and the build's first lines. */
export function imageName(source: ImageSource): string {
  return source.kind === 'image' ? source.name : source.tag;
}
