import * as path from 'path';

/**
 * Where the CLI and the extension keep what must outlive a run and be
 * shared between them (pinned host keys, the last deploy per machine):
 * DFW_STATE_DIR, else $XDG_STATE_HOME/docker-fork-workbench, else
 * ~/.local/state/docker-fork-workbench. Tests point DFW_STATE_DIR at a temp dir.
 */
export function stateDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  if (env.DFW_STATE_DIR) return path.resolve(env.DFW_STATE_DIR);
  const base = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(homeDir, '.local', 'state');
  return path.join(base, 'docker-fork-workbench');
}
