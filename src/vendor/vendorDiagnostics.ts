import * as vscode from 'vscode';
import { lintVendorModel, vendorFileKind, VendorProblem } from '../core/vendor';
import { parseVendorDocument } from './vendorDocuments';

/** How long typing must pause before a changed document is linted again. */
const LINT_DELAY_MS = 250;

/** The core lint's problems of open vendor.conf, vendor.mod and go.mod documents, as diagnostics. */
export class VendorDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('dockerFork.vendor');
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.lint(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.lint(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.lintSoon(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d);
        this.collection.delete(d.uri);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.lint(d);
  }

  /** Lints a document now (from its text, saved or not). */
  lint(doc: vscode.TextDocument): void {
    this.cancel(doc);
    const parsed = parseVendorDocument(doc);
    if (!parsed) return;
    this.collection.set(doc.uri, lintVendorModel(parsed.model).map((p) => toDiagnostic(doc, p)));
  }

  private lintSoon(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !vendorFileKind(doc.uri.fsPath)) return;
    this.cancel(doc);
    this.pending.set(doc.uri.toString(), setTimeout(() => this.lint(doc), LINT_DELAY_MS));
  }

  private cancel(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(doc: vscode.TextDocument, p: VendorProblem): vscode.Diagnostic {
  const line = Math.min(Math.max(p.line - 1, 0), Math.max(doc.lineCount - 1, 0));
  const text = doc.lineAt(line);
  const range =
    p.column !== undefined
      ? new vscode.Range(line, p.column - 1, line, (p.endColumn ?? text.range.end.character + 1) - 1)
      : new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
  const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'dockerfork vendor';
  return d;
}
