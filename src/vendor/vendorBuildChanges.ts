import * as vscode from 'vscode';
import { BuildService } from '../build/buildService';
import { describeVendorChange, vendorChanges } from '../core/vendor/vendorDiff';
import { VendorView } from './vendorView';

/**
 * After a `vendor` build finishes, shows under each forked dependency in the
 * view which files under vendor/<module>/ it changed, and logs them.
 */
export function watchVendorBuilds(builds: BuildService, view: VendorView, log: vscode.LogOutputChannel): vscode.Disposable {
  return builds.onDidFinish(async ({ repo, recipe, result }) => {
    if (recipe.id !== 'vendor' || result.cancelled) return;
    try {
      const forked = (await view.dependencies(repo.root)).filter((d) => d.forked);
      for (const dep of forked) {
        const changes = await vendorChanges(repo.root, dep.module);
        view.setVendorChanges(repo.root, dep.module, changes.map((c) => ({ file: c.file, summary: describeVendorChange(c) })));
        log.info(`vendor: ${dep.module}: ${changes.length === 0 ? `no change under vendor/${dep.module}/` : `${changes.length} file(s) changed under vendor/${dep.module}/`}${changes.map((c) => `\n  ${c.file}\t${describeVendorChange(c)}`).join('')}`);
      }
    } catch (e) {
      log.warn(`vendor: could not list what changed under vendor/: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
