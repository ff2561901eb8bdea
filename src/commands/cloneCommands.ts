import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { cloneRepository, CloneProgressEvent, CloneResult, defaultCloneDirectory, DOCKER_SOURCES, GitOperationError } from '../core/git';

/**
 * Answers that skip the prompts (for scripts and tests). With `source` given,
 * the others default (no fork, the default branch, the repository's name, a
 * partial clone, ask what to open) except parentDir, which is asked for.
 */
export interface CloneAnswers {
  /** `moby`, `cli`, `docker-ce`, `swarmkit`, `containerd` or a URL. */
  source?: string;
  /** The user's fork URL; '' for none. */
  fork?: string;
  /** Branch, tag or commit; '' for the default branch. */
  ref?: string;
  /** The folder the clone goes in (its parent). */
  parentDir?: string;
  /** The clone's folder name; defaults to the repository's name. */
  name?: string;
  /** 'blob:none' for a partial clone, 'none' for a full one. */
  filter?: 'blob:none' | 'none';
  /** After the clone: nothing, open the folder (this window), or add it to the workspace. */
  open?: 'none' | 'open' | 'add';
  /** Cancels like the notification's Cancel button (scripts and tests have no button to press). */
  signal?: AbortSignal;
  /** Sees each progress event the notification shows. */
  onProgress?: (e: CloneProgressEvent) => void;
}

export type CloneCommandResult =
  | ({ status: 'cloned' } & CloneResult)
  | { status: 'cancelled' }
  | { status: 'failed'; kind: string; message: string };

const STEP_LABELS: Record<CloneProgressEvent['step'], string> = { clone: 'Cloning', 'fetch-upstream': 'Fetching upstream', checkout: 'Checking out' };

async function askSource(): Promise<string | undefined> {
  const other = { label: '$(link) Other URL…', source: '' };
  const picks = [
    ...Object.entries(DOCKER_SOURCES).map(([name, s]) => ({ label: s.label.replace(/ \(.*$/, ''), description: s.archived ? 'archived' : '', detail: `${s.label} — ${s.url}`, source: name })),
    other,
  ];
  const pick = await vscode.window.showQuickPick(picks, { title: 'Clone Docker Repository (1/5): upstream', placeHolder: 'The canonical repository your fork follows', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick !== other) return pick.source;
  return vscode.window.showInputBox({
    title: 'Clone Docker Repository (1/5): upstream URL',
    prompt: 'Git URL of the canonical repository',
    placeHolder: 'https://github.com/moby/moby.git',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Give a repository URL' : /\s/.test(v.trim()) ? 'A repository URL has no spaces' : undefined),
  }).then((v) => v?.trim());
}

async function askAnswers(given: CloneAnswers): Promise<Required<Pick<CloneAnswers, 'source' | 'fork' | 'ref' | 'parentDir' | 'name' | 'filter'>> | undefined> {
  if (given.source !== undefined) given = { fork: '', ref: '', name: defaultCloneDirectory(given.source), filter: 'blob:none', ...given };
  const source = given.source ?? (await askSource());
  if (!source) return undefined;
  const fork = given.fork ?? (await vscode.window.showInputBox({
    title: 'Clone Docker Repository (2/5): your fork',
    prompt: 'URL of your fork: it becomes origin and the upstream becomes upstream. Leave empty to clone the upstream alone.',
    placeHolder: 'https://github.com/you/moby.git',
    ignoreFocusOut: true,
    validateInput: (v) => (/\s/.test(v.trim()) ? 'A repository URL has no spaces' : undefined),
  }));
  if (fork === undefined) return undefined;
  const ref = given.ref ?? (await vscode.window.showInputBox({
    title: 'Clone Docker Repository (3/5): ref',
    prompt: 'Branch, tag or commit to check out. Leave empty for the default branch.',
    placeHolder: 'v20.10.24, master, or a commit hash',
    ignoreFocusOut: true,
    validateInput: (v) => (/\s/.test(v.trim()) ? 'A branch, tag or commit has no spaces' : undefined),
  }));
  if (ref === undefined) return undefined;
  let parentDir = given.parentDir;
  if (parentDir === undefined) {
    const first = vscode.workspace.workspaceFolders?.[0];
    const picked = await vscode.window.showOpenDialog({
      title: 'Clone Docker Repository (4/5): folder to clone into',
      openLabel: 'Clone Here',
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.Uri.file(first ? path.dirname(first.uri.fsPath) : os.homedir()),
    });
    parentDir = picked?.[0]?.fsPath;
    if (!parentDir) return undefined;
  }
  const name = given.name ?? (await vscode.window.showInputBox({
    title: 'Clone Docker Repository (4/5): folder name',
    prompt: `Name of the clone's folder in ${parentDir}`,
    value: defaultCloneDirectory(source),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Give a folder name' : /[/\\]/.test(v) ? 'A name, not a path' : undefined),
  }));
  if (!name) return undefined;
  let filter = given.filter;
  if (filter === undefined) {
    const partial = { label: 'Partial clone (--filter=blob:none, recommended for moby)', detail: 'Fetches file contents when a checkout needs them: far less to download for a long history.', filter: 'blob:none' as const };
    const full = { label: 'Full clone', detail: 'Every file of every commit, up front.', filter: 'none' as const };
    const pick = await vscode.window.showQuickPick([partial, full], { title: 'Clone Docker Repository (5/5): history', ignoreFocusOut: true });
    if (!pick) return undefined;
    filter = pick.filter;
  }
  return { source, fork: fork.trim(), ref: ref.trim(), parentDir, name: name.trim(), filter };
}

async function openClone(directory: string, how: CloneAnswers['open']): Promise<void> {
  const uri = vscode.Uri.file(directory);
  if (how === undefined) {
    const openFolder = 'Open Folder';
    const addToWorkspace = 'Add to Workspace';
    const choice = await vscode.window.showInformationMessage(`Cloned into ${directory}.`, openFolder, addToWorkspace);
    how = choice === openFolder ? 'open' : choice === addToWorkspace ? 'add' : 'none';
  }
  if (how === 'open') await vscode.commands.executeCommand('vscode.openFolder', uri);
  if (how === 'add') vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
}

/**
 * Clone Docker Repository…: asks what the core's cloneRepository needs (or takes
 * it from the argument), clones in a cancellable notification and offers to open
 * the clone. Runs in any window, trusted or not, with or without a workspace:
 * it runs git, never code from a workspace.
 */
async function cloneCommand(log: vscode.LogOutputChannel, given: CloneAnswers = {}): Promise<CloneCommandResult | undefined> {
  const answers = await askAnswers(given);
  if (!answers) return undefined;
  const dir = path.join(answers.parentDir, answers.name);
  const controller = new AbortController();
  const abort = () => controller.abort();
  given.signal?.addEventListener('abort', abort);
  if (given.signal?.aborted) abort();
  log.info(`Cloning ${answers.source} into ${dir}${answers.fork ? ` with fork ${answers.fork}` : ''}${answers.ref ? ` at ${answers.ref}` : ''}${answers.filter === 'blob:none' ? ' (partial, blob:none)' : ''}`);
  let result: CloneResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cloning ${defaultCloneDirectory(answers.source)}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(abort);
        // The notification's bar only grows, while git runs each phase from 0 to 100 again:
        // the bar follows the clone's longest phase (receiving objects), the message every phase.
        let received = 0;
        return cloneRepository({
          source: answers.source,
          dir,
          fork: answers.fork || undefined,
          ref: answers.ref || undefined,
          filter: answers.filter === 'blob:none' ? 'blob:none' : undefined,
          signal: controller.signal,
          onProgress: (e) => {
            given.onProgress?.(e);
            let increment: number | undefined;
            if (e.step === 'clone' && e.phase === 'Receiving objects' && e.percent > received) {
              increment = e.percent - received;
              received = e.percent;
            }
            progress.report({ message: `${STEP_LABELS[e.step]}: ${e.phase} ${e.percent}%${e.total ? ` (${e.processed}/${e.total})` : ''}`, increment });
          },
        });
      },
    );
  } catch (e) {
    if (e instanceof GitOperationError && e.kind === 'cancelled') {
      log.info(`Clone into ${dir} cancelled; nothing left behind`);
      return { status: 'cancelled' };
    }
    const kind = e instanceof GitOperationError ? e.kind : 'failed';
    const message = e instanceof Error ? e.message : String(e);
    log.error(`Clone of ${answers.source} failed: ${message}`);
    void vscode.window.showErrorMessage(`Clone failed: ${message}`);
    return { status: 'failed', kind, message };
  } finally {
    given.signal?.removeEventListener('abort', abort);
  }
  log.info(`Cloned into ${result.directory}: ${result.head.branch ?? `detached at ${result.head.commit?.slice(0, 12)}`}; remotes ${result.remotes.map((r) => `${r.name} (${r.role})`).join(', ')}`);
  await openClone(result.directory, given.open);
  return { status: 'cloned', ...result };
}

export function registerCloneCommands(log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [vscode.commands.registerCommand('dockerFork.repository.clone', (answers?: CloneAnswers) => cloneCommand(log, answers ?? {}))];
}
