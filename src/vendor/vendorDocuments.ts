import * as path from 'path';
import * as vscode from 'vscode';
import { Dependency, dependenciesOf, GoModFile, parseVendorText, VendorConf, vendorFileKind, VendorFileKind } from '../core/vendor';
import { WorkspaceRepositories } from '../workspaceRepositories';

/** Every vendor file, wherever it is: vendor.conf, vendor.mod and go.mod. */
export const VENDOR_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/{vendor.conf,vendor.mod,go.mod}' }];

/** A vendor document as parsed at one version of its text. */
export interface ParsedVendorDocument {
  kind: VendorFileKind;
  model: VendorConf | GoModFile;
  dependencies: Dependency[];
}

const parsed = new WeakMap<vscode.TextDocument, { version: number; value: ParsedVendorDocument }>();

/** The vendor model of an open document (parsed once per version), or null for other files. */
export function parseVendorDocument(doc: vscode.TextDocument): ParsedVendorDocument | null {
  if (doc.uri.scheme !== 'file') return null;
  const kind = vendorFileKind(doc.uri.fsPath);
  if (!kind) return null;
  const hit = parsed.get(doc);
  if (hit && hit.version === doc.version) return hit.value;
  const model = parseVendorText(kind, doc.getText(), doc.uri.fsPath);
  const ref = { path: doc.uri.fsPath, relativePath: vscode.workspace.asRelativePath(doc.uri, false), kind };
  const value = { kind, model, dependencies: dependenciesOf(ref, model) };
  parsed.set(doc, { version: doc.version, value });
  return value;
}

/** The dependency whose entry, require or replace is on a 0-based line. */
export function dependencyAtLine(deps: readonly Dependency[], line: number): Dependency | undefined {
  return deps.find((d) => d.line === line + 1) ?? deps.find((d) => d.replaceLine === line + 1);
}

/** The open editor document of a file, if any. */
export function openDocument(file: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
}

/** The Docker repository a file belongs to (its nearest detected root), else its folder. */
export async function repositoryRootOf(repos: WorkspaceRepositories, file: string): Promise<string> {
  const roots = (await repos.get()).map((r) => r.root).filter((r) => file.startsWith(r + path.sep));
  return roots.sort((a, b) => b.length - a.length)[0] ?? path.dirname(file);
}
