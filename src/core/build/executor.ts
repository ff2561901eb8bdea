import type Docker from 'dockerode';
import type { EngineEndpoint } from '../engine/endpoint';
import type { BuildEvent } from './events';
import type { BuildRecipe } from './recipe';

/** Everything an executor needs for one run. */
export interface ExecutionContext {
  readonly runId: string;
  readonly emit: (event: BuildEvent) => void;
  readonly signal: AbortSignal;
  /** Variables for host commands and DOCKER_* for the engine they reach. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Set for container recipes. */
  readonly engine?: { readonly docker: Docker; readonly endpoint: EngineEndpoint; readonly remote: boolean };
  /**
   * Copy the source in and the artifacts out even on a local engine, as for
   * a remote one: nothing of this machine is bind-mounted into the build
   * (a build of a fetched ref, which must not touch anything but its output).
   */
  readonly copySource?: boolean;
  /**
   * Whose cache volumes the build uses, instead of the repository folder's:
   * a build of a fetched ref runs in a folder that is gone afterwards, and
   * keys its caches on the repository URL so the next build of it is warm.
   */
  readonly cacheOwner?: string;
}

/** Runs a recipe's command and returns its exit code; artifacts are collected by the runner. */
export interface Executor {
  execute(recipe: BuildRecipe, ctx: ExecutionContext): Promise<number>;
}

/** A failure that is the user's to fix, with a message that says where. */
export class BuildSetupError extends Error {
  override name = 'BuildSetupError';
}

/** Labels on everything a build creates, so nothing can be left behind unnoticed. */
export const LABEL_BUILD = 'io.dockerfork.build';
export const LABEL_REPO = 'io.dockerfork.repo';
export const LABEL_CONTEXT = 'io.dockerfork.context';
/** Which process started a build container (`host:pid`), so a later session can tell a crashed owner from a live one. */
export const LABEL_OWNER = 'io.dockerfork.owner';

/** A line of the build's own commentary (engine, image, reuse...), shown dimmed. */
export function system(ctx: Pick<ExecutionContext, 'emit'>, text: string): void {
  ctx.emit({ type: 'log', stream: 'system', text: `${text}\n` });
}
