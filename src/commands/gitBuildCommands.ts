import * as os from 'os';
import * as vscode from 'vscode';
import type { GitBuildResult } from '../core/build/gitSourceBuild';
import { GitOperationError } from '../core/git/errors';
import { readSettings, userBuildDefaults } from '../settings';

/** What tests and keybindings may pass instead of answering the prompts. */
export interface GitBuildArgs {
  /** `URL#REF`. */
  readonly source?: string;
  /** A target id; empty for the fetched repository's default. */
  readonly target?: string;
  readonly outDir?: string;
  /** Replace the artifacts in a non-empty output folder without asking. */
  readonly force?: boolean;
}

/**
 * Build a Git Branch…: builds a branch, tag or commit of any repository
 * without cloning it into the workspace, in a throwaway container, the
 * artifacts in a folder the user picks. Progress and Cancel in a
 * notification, the output in the log channel. Resolves with the result
 * (undefined when the user backed out or it failed before the build).
 */
export function registerGitBuildCommands(log: vscode.LogOutputChannel): vscode.Disposable[] {
  // Loaded on first use: the build runner is not part of activation.
  const core = () => import(/* webpackChunkName: "git-build" */ '../core/build/gitSourceBuild');

  async function ask(args: GitBuildArgs): Promise<Required<GitBuildArgs> | undefined> {
    const { parseGitSource } = await import(/* webpackChunkName: "git-build" */ '../core/git/oneCommit');
    const source =
      args.source ??
      (await vscode.window.showInputBox({
        title: 'Build a Git Branch (1/3)',
        prompt: 'Repository URL and the branch, tag or full commit hash to build, as URL#REF (without #REF: its default branch)',
        placeHolder: 'https://github.com/someone/moby.git#their-branch',
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            parseGitSource(v);
            return undefined;
          } catch (e) {
            return e instanceof Error ? e.message : String(e);
          }
        },
      }));
    if (!source) return undefined;
    const target =
      args.target ??
      (await vscode.window.showInputBox({
        title: 'Build a Git Branch (2/3)',
        prompt: 'Target to build (empty: the repository\'s default target, binary for moby)',
        placeHolder: 'binary',
        ignoreFocusOut: true,
      }));
    if (target === undefined) return undefined;
    let outDir = args.outDir;
    if (!outDir) {
      const picked = await vscode.window.showOpenDialog({ title: 'Build a Git Branch (3/3): folder for the artifacts', canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Put Artifacts Here' });
      outDir = picked?.[0]?.fsPath;
    }
    if (!outDir) return undefined;
    let force = args.force ?? false;
    if (!force && args.outDir === undefined) {
      const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(outDir)).then((e) => e.length, () => 0);
      if (entries > 0) {
        const replace = 'Replace Artifacts in It';
        const choice = await vscode.window.showWarningMessage(`${outDir} is not empty.`, { modal: true, detail: 'The build\'s artifact paths in it are replaced; other files are kept.' }, replace);
        if (choice !== replace) return undefined;
        force = true;
      }
    }
    return { source, target: target.trim(), outDir, force };
  }

  async function buildFromGitCommand(args: GitBuildArgs = {}): Promise<GitBuildResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Builds run code in containers of this machine\'s engine. Trust the workspace to build.');
      return undefined;
    }
    const asked = await ask(args);
    if (!asked) return undefined;
    const { buildFromGit } = await core();
    const defaults = userBuildDefaults();
    log.info(`Build a Git ref: ${asked.source}, target ${asked.target || '(default)'}, artifacts into ${asked.outDir}`);
    log.show(true);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Building ${asked.source}`, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          try {
            return await buildFromGit({
              source: asked.source,
              target: asked.target || undefined,
              outDir: asked.outDir,
              force: asked.force,
              overrides: { privileged: defaults.privileged, builder: defaults.builder },
              signal: controller.signal,
              engineEnv: { env: { ...process.env, ...readSettings().environment }, homeDir: os.homedir() },
              listener: (e) => {
                if (e.type === 'log') for (const line of e.text.split('\n').filter(Boolean)) log.info(line);
                else if (e.type === 'progress') progress.report({ message: e.progress.label });
                else if (e.type === 'artifact') log.info(`artifact ${e.artifact.path} ${e.artifact.size} bytes sha256:${e.artifact.sha256}${e.artifact.version ? ` (${e.artifact.version})` : ''}`);
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      if (result.cancelled) void vscode.window.showInformationMessage(`Build of ${asked.source} cancelled; nothing was left behind.`);
      else if (result.error || result.exitCode !== 0) void vscode.window.showErrorMessage(`Build of ${asked.source} failed: ${result.error ?? `exit code ${result.exitCode}`}. See the ${log.name} output.`);
      else void vscode.window.showInformationMessage(`Built ${result.target} of ${asked.source} (${result.source.commit.slice(0, 12)}): ${result.artifacts.length} artifacts in ${result.outDir}`);
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(message);
      if (e instanceof GitOperationError && e.kind === 'cancelled') void vscode.window.showInformationMessage(`Build of ${asked.source} cancelled; nothing was left behind.`);
      else void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  return [vscode.commands.registerCommand('dockerFork.build.fromGit', buildFromGitCommand)];
}
