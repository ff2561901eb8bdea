import * as vscode from 'vscode';
import {
  ActionOptions,
  addForkToClone,
  checkoutRef,
  createBranchFromUpstreamTag,
  fetchUpstream,
  pushToFork,
  rebaseOntoUpstream,
} from '../core/git';
import { DetectedRepository } from '../core/repo/detect';
import { GitTaskOutcome, runGitTask } from '../tasks/gitTaskTerminal';
import { RepositoryView, RepositoryViewNode } from '../views/repositoryView';
import { WorkspaceRepositories } from '../workspaceRepositories';

/**
 * What an action acts on and its answers: a node of the Repository view, or
 * (for scripts and tests) `{ repository: name or root, ... }` with the answers
 * that skip the prompts.
 */
export interface RepositoryActionArgs {
  repository?: string;
  /** Check Out: the branch, tag or commit. */
  ref?: string;
  /** Create Branch: the upstream tag and the new branch's name. */
  tag?: string;
  branch?: string;
  /** Add Fork: the fork's URL, and whether origin becomes upstream and the fork origin. */
  url?: string;
  renameOriginToUpstream?: boolean;
}

type ActionArg = RepositoryViewNode | RepositoryActionArgs | undefined;

const NAME_RULE = (v: string) => (v.trim() === '' ? 'Give a name' : /\s/.test(v.trim()) ? 'No spaces' : undefined);

/** Fetch Upstream, Check Out, Create Branch, Rebase, Push and Add Fork on a repository of the Repository view, each in a task terminal. */
export function registerRepositoryCommands(repos: WorkspaceRepositories, view: RepositoryView, log: vscode.LogOutputChannel): vscode.Disposable[] {
  async function repositoryOf(arg: ActionArg): Promise<DetectedRepository | undefined> {
    if (arg && 'type' in arg) return arg.repo;
    const all = await repos.get();
    const wanted = arg?.repository;
    if (wanted) {
      const found = all.find((r) => r.root === wanted || r.name === wanted);
      if (!found) void vscode.window.showErrorMessage(`No Docker repository '${wanted}' in this workspace.`);
      return found;
    }
    if (all.length <= 1) {
      if (!all.length) void vscode.window.showInformationMessage('No Docker repository in this workspace: clone one (Docker Fork: Clone Docker Repository…) or open one.');
      return all[0];
    }
    const pick = await vscode.window.showQuickPick(all.map((r) => ({ label: r.name, description: r.root, repo: r })), { placeHolder: 'Repository' });
    return pick?.repo;
  }

  const answers = (arg: ActionArg): RepositoryActionArgs => (arg && !('type' in arg) ? arg : {});

  /** Runs `action` in a task terminal; shows the core's message when it refuses or fails; redraws the view. */
  async function run<T>(repo: DetectedRepository, what: string, action: (options: ActionOptions) => Promise<T>): Promise<GitTaskOutcome<T>> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo.root));
    log.info(`${repo.name}: ${what}`);
    const outcome = await runGitTask(`${repo.name}: ${what}`, folder, `${what} in ${repo.root}`, action);
    if (outcome.error && outcome.error.kind !== 'cancelled') {
      log.error(`${repo.name}: ${what}: ${outcome.error.message}`);
      void vscode.window.showErrorMessage(outcome.error.message);
    }
    view.refresh();
    return outcome;
  }

  /** Git runs the repository's hooks and config (fsmonitor, filters): only in a trusted workspace. */
  function trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage('Git actions run this repository\'s hooks and configuration: trust the workspace first (Manage Workspace Trust).');
    return false;
  }

  function command<T>(id: string, body: (repo: DetectedRepository, given: RepositoryActionArgs) => Promise<GitTaskOutcome<T> | undefined>): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (arg?: ActionArg) => {
      if (!trusted()) return undefined;
      const repo = await repositoryOf(arg);
      return repo ? body(repo, answers(arg)) : undefined;
    });
  }

  return [
    command('dockerFork.repository.fetchUpstream', (repo) => run(repo, 'fetch upstream', (o) => fetchUpstream(repo.root, o))),
    command('dockerFork.repository.checkout', async (repo, given) => {
      const ref = given.ref ?? (await vscode.window.showInputBox({ title: `Check Out in ${repo.name}`, prompt: 'Tag, branch or commit to check out (a tag or commit is checked out detached)', placeHolder: 'v20.10.24', ignoreFocusOut: true, validateInput: NAME_RULE }));
      if (!ref) return undefined;
      return run(repo, `check out ${ref.trim()}`, (o) => checkoutRef(repo.root, ref.trim(), o));
    }),
    command('dockerFork.repository.createBranch', async (repo, given) => {
      const tag = given.tag ?? (await vscode.window.showInputBox({ title: `Create Branch from Upstream Tag in ${repo.name}`, prompt: 'Upstream tag to start from (fetched from upstream if the clone lacks it)', placeHolder: 'v20.10.24', ignoreFocusOut: true, validateInput: NAME_RULE }));
      if (!tag) return undefined;
      const branch = given.branch ?? (await vscode.window.showInputBox({ title: `Create Branch from ${tag.trim()}`, prompt: 'Name of the new branch', value: `${tag.trim()}-fork`, ignoreFocusOut: true, validateInput: NAME_RULE }));
      if (!branch) return undefined;
      return run(repo, `create branch ${branch.trim()} from ${tag.trim()}`, (o) => createBranchFromUpstreamTag(repo.root, tag.trim(), branch.trim(), o));
    }),
    command('dockerFork.repository.rebase', (repo) => run(repo, 'rebase onto upstream', (o) => rebaseOntoUpstream(repo.root, o))),
    command('dockerFork.repository.push', (repo) => run(repo, 'push to fork', (o) => pushToFork(repo.root, o))),
    command('dockerFork.repository.addFork', async (repo, given) => {
      const url = given.url ?? (await vscode.window.showInputBox({
        title: `Add Fork to ${repo.name}`,
        prompt: 'URL of your fork',
        placeHolder: 'https://github.com/you/moby.git',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Give the repository URL of your fork' : /\s/.test(v.trim()) ? 'A repository URL has no spaces' : undefined),
      }));
      if (!url) return undefined;
      let rename = given.renameOriginToUpstream;
      if (rename === undefined) {
        const swap = { label: 'Rename origin → upstream, fork → origin', detail: 'The maintainers\' layout: pushes go to origin, your fork.', rename: true };
        const keep = { label: 'Keep origin, add the fork as "fork"', detail: 'Leaves origin as it is.', rename: false };
        const pick = await vscode.window.showQuickPick([swap, keep], { title: `Add Fork to ${repo.name}: remote names`, ignoreFocusOut: true });
        if (!pick) return undefined;
        rename = pick.rename;
      }
      const renameOriginToUpstream = rename;
      return run(repo, `add fork ${url.trim()}`, (o) => addForkToClone(repo.root, url.trim(), { ...o, renameOriginToUpstream }));
    }),
  ];
}
