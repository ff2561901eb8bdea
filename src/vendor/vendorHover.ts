import * as vscode from 'vscode';
import { Dependency, resolveRemoteRef, VendorConf } from '../core/vendor';
import { readUpstreamFile } from '../core/vendor/upstream';
import { parseVendorText } from '../core/vendor';
import { WorkspaceRepositories } from '../workspaceRepositories';
import { dependencyAtLine, parseVendorDocument, repositoryRootOf } from './vendorDocuments';

/** How long a resolved ref or an upstream file is reused before asking git again. */
const CACHE_MS = 60_000;
/** How long a hover waits for git before showing what it has (the answer is kept for the next hover). */
const HOVER_WAIT_MS = 1500;

type Settled<T> = { state: 'pending' } | { state: 'done'; value: T } | { state: 'failed'; message: string };

/** Remembers async answers for a while, so hovering again never waits twice. */
class AnswerCache<T> {
  private readonly entries = new Map<string, { at: number; promise: Promise<T>; settled: Settled<T> }>();

  get(key: string, compute: () => Promise<T>): { promise: Promise<T>; current: () => Settled<T> } {
    let e = this.entries.get(key);
    if (!e || Date.now() - e.at > CACHE_MS) {
      const entry: { at: number; promise: Promise<T>; settled: Settled<T> } = { at: Date.now(), promise: compute(), settled: { state: 'pending' } };
      entry.promise.then(
        (value) => (entry.settled = { state: 'done', value }),
        (err: unknown) => (entry.settled = { state: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
      this.entries.set(key, entry);
      e = entry;
    }
    const entry = e;
    return { promise: entry.promise, current: () => entry.settled };
  }
}

async function settleWithin<T>(answer: { promise: Promise<T>; current: () => Settled<T> }, ms: number, token: vscode.CancellationToken): Promise<Settled<T>> {
  await Promise.race([
    answer.promise.catch(() => undefined),
    new Promise((r) => setTimeout(r, ms)),
    new Promise((r) => token.onCancellationRequested(r)),
  ]);
  return answer.current();
}

/**
 * Hover on a vendor entry: its ref and where it comes from, the commit the
 * ref is at (vendor.conf, resolved with git ls-remote in a trusted workspace,
 * cached, never holding up the editor) and what the upstream branch pins.
 */
export class VendorHover implements vscode.HoverProvider {
  private readonly refs = new AnswerCache<string>();
  private readonly upstreamFiles = new AnswerCache<{ text: string; revision: string }>();

  constructor(private readonly repos: WorkspaceRepositories) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const parsed = parseVendorDocument(doc);
    const dep = parsed && dependencyAtLine(parsed.dependencies, pos.line);
    if (!parsed || !dep) return undefined;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${dep.module}**${dep.forked ? ' — $(repo-forked) fork' : ' — upstream'}\n\n`);
    md.supportThemeIcons = true;
    md.appendMarkdown(`- ref: \`${dep.version ?? '(any)'}\`\n`);
    md.appendMarkdown(`- source: ${dep.source ? `\`${dep.source}\`` : 'the import path itself'}\n`);
    const trusted = vscode.workspace.isTrusted;
    const waits: Array<Promise<string>> = [];
    if (parsed.model instanceof VendorConf && dep.version) {
      waits.push(this.describeCommit(dep, trusted, token));
    } else {
      const hash = /-([0-9a-f]{12})(\+incompatible)?$/.exec((dep.forked ? dep.source : dep.version) ?? '');
      if (hash) md.appendMarkdown(`- commit: \`${hash[1]}\` (from the pseudo-version)\n`);
    }
    waits.push(this.describeUpstream(doc, dep, trusted, token));
    // Both lookups run side by side; their lines are appended in a fixed order.
    md.appendMarkdown((await Promise.all(waits)).join(''));
    return new vscode.Hover(md);
  }

  private async describeCommit(dep: Dependency, trusted: boolean, token: vscode.CancellationToken): Promise<string> {
    const ref = dep.version!;
    if (/^[0-9a-f]{40}$/.test(ref)) {
      return (`- commit: \`${ref}\`\n`);
    }
    if (!trusted) {
      return (`- commit: not resolved (trust the workspace to ask git)\n`);
    }
    const url = dep.source ?? `https://${dep.module}`;
    const answer = this.refs.get(`${url}\0${ref}`, async () => (await resolveRemoteRef(url, ref)).commit);
    const settled = await settleWithin(answer, HOVER_WAIT_MS, token);
    if (settled.state === 'done') return (`- commit: \`${settled.value}\` (\`${ref}\` on ${url})\n`);
    else if (settled.state === 'pending') return (`- commit: resolving \`${ref}\` on ${url}… (hover again)\n`);
    else return (`- commit: not resolved (${settled.message})\n`);
  }

  private async describeUpstream(doc: vscode.TextDocument, dep: Dependency, trusted: boolean, token: vscode.CancellationToken): Promise<string> {
    if (!trusted) return '';
    const root = await repositoryRootOf(this.repos, doc.uri.fsPath);
    const answer = this.upstreamFiles.get(doc.uri.fsPath, async () => {
      const f = await readUpstreamFile(root, doc.uri.fsPath);
      return { text: f.text, revision: f.upstream.revision };
    });
    const settled = await settleWithin(answer, HOVER_WAIT_MS, token);
    if (settled.state !== 'done') {
      return settled.state === 'failed' ? `- upstream: ${settled.message}\n` : '';
    }
    const kind = parseVendorDocument(doc)!.kind;
    const theirs = parseVendorText(kind, settled.value.text, settled.value.revision);
    const entry =
      theirs instanceof VendorConf
        ? theirs.find(dep.module).map((e) => `\`${e.ref}\`${e.repo ? ` from \`${e.repo}\`` : ''}`)[0]
        : (() => {
            const req = theirs.requires.find((r) => r.module === dep.module);
            const rep = theirs.findReplaces(dep.module)[0];
            if (!req && !rep) return undefined;
            return `${req ? `\`${req.version}\`` : ''}${rep ? ` → \`${rep.target}${rep.targetVersion ? `@${rep.targetVersion}` : ''}\`` : ''}`;
          })();
    return (`- upstream (${settled.value.revision}): ${entry ?? 'not listed'}\n`);
  }
}
