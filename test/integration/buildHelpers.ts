import * as os from 'os';
import { BuildRunner } from '../../src/core/build/buildRunner';
import { BuildEvent, BuildResult } from '../../src/core/build/events';
import { BuildRecipe } from '../../src/core/build/recipe';

/** Runs one build through the real BuildRunner and returns its result, every event and the log text. */
export async function runBuild(
  recipe: BuildRecipe,
  env: Record<string, string | undefined>,
  options: { signal?: AbortSignal; onEvent?: (e: BuildEvent) => void; runner?: BuildRunner } = {},
): Promise<{ result: BuildResult; events: BuildEvent[]; log: string }> {
  const events: BuildEvent[] = [];
  const result = await (options.runner ?? new BuildRunner()).run(recipe, {
    listener: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
    signal: options.signal,
    engineEnv: { env, homeDir: os.homedir() },
  });
  const log = events.filter((e): e is Extract<BuildEvent, { type: 'log' }> => e.type === 'log').map((e) => e.text).join('');
  return { result, events, log };
}
