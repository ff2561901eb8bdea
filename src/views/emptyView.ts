import * as vscode from 'vscode';

/**
 * A view with no items yet, so VS Code shows its welcome content
 * (package.json `viewsWelcome`), which says what will appear there.
 * Build Targets, Vendored Dependencies and Machines start this way until
 * their own providers are written.
 */
export class EmptyView implements vscode.TreeDataProvider<never> {
  getChildren(): never[] {
    return [];
  }

  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
}
