import * as vscode from 'vscode';
import { dependencyAtLine, parseVendorDocument } from './vendorDocuments';

/**
 * "Use Fork…" and "Reset to Upstream" on the vendor.conf entry, or the
 * require / replace line of vendor.mod and go.mod, under the cursor.
 */
export class VendorCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const parsed = parseVendorDocument(doc);
    if (!parsed) return [];
    const actions: vscode.CodeAction[] = [];
    for (let line = range.start.line; line <= range.end.line && actions.length < 20; line++) {
      const dep = dependencyAtLine(parsed.dependencies, line);
      if (!dep) continue;
      const target = { path: doc.uri.fsPath, module: dep.module, line: dep.line };
      const fork = new vscode.CodeAction(`Use Fork of ${dep.module}…`, vscode.CodeActionKind.RefactorRewrite);
      fork.command = { command: 'dockerFork.vendor.useFork', title: fork.title, arguments: [target] };
      actions.push(fork);
      if (dep.forked || dep.source !== null) {
        const reset = new vscode.CodeAction(`Reset ${dep.module} to Upstream`, vscode.CodeActionKind.RefactorRewrite);
        reset.command = { command: 'dockerFork.vendor.reset', title: reset.title, arguments: [target] };
        actions.push(reset);
      }
    }
    return actions;
  }
}
