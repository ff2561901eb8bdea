import * as fs from 'fs';
import * as vscode from 'vscode';
import { GoProblemLines, parseGoProblems, problemPathsFor } from '../core/build/problems';
import { BuildService } from './buildService';

/** Go compiler errors of the last build of each repository, in the Problems panel; cleared when the next build starts. */
export class BuildProblems implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('dockerFork');
  private readonly output = new Map<string, GoProblemLines>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(builds: BuildService) {
    this.subscriptions = [
      builds.onDidEmit(({ repoRoot, event }) => {
        if (event.type !== 'log' || event.stream === 'system') return;
        let lines = this.output.get(repoRoot);
        if (!lines) this.output.set(repoRoot, (lines = new GoProblemLines()));
        lines.feed(event.text);
      }),
      builds.onDidStart((b) => this.clear(b.repo.root)),
      // Problems of a target removed from the settings are stale: nothing can rebuild to clear them.
      builds.onDidRemoveTargets(({ repoRoot, ids }) => this.diagnostics.forEach((uri, list) => {
        if (uri.fsPath.startsWith(repoRoot + '/') && list.some((d) => ids.some((id) => d.source === `build ${id}`))) this.diagnostics.delete(uri);
      })),
      builds.onDidFinish(({ repo, recipe }) => {
        const output = this.output.get(repo.root)?.text() ?? '';
        this.output.delete(repo.root);
        // Only files that exist: a relative path can mean several folders (docker-ce's components).
        const paths = problemPathsFor(recipe, { dockerCe: repo.kind === 'docker-ce', exists: fs.existsSync });
        const byFile = new Map<string, vscode.Diagnostic[]>();
        for (const p of parseGoProblems(output, paths)) {
          const line = Math.max(0, p.line - 1);
          const col = Math.max(0, (p.column ?? 1) - 1);
          const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + 1), p.message, p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
          d.source = `build ${recipe.id}`;
          byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
        }
        for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
      }),
    ];
  }

  /** Removes a repository's diagnostics (a new build started). */
  private clear(repoRoot: string): void {
    this.output.set(repoRoot, new GoProblemLines());
    this.diagnostics.forEach((uri) => {
      if (uri.fsPath.startsWith(repoRoot + '/')) this.diagnostics.delete(uri);
    });
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.diagnostics.dispose();
  }
}
