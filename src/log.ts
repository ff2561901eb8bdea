import * as vscode from 'vscode';
import { PRODUCT } from './core/productInfo';

/** The extension's own log: a LogOutputChannel, so users pick the level. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(PRODUCT.name, { log: true });
}
