// Entry point VS Code calls in the extension host (extensionTestsPath): the
// same contract for @vscode/test-electron and for the code-server runner.
import * as fs from 'fs';
import { sessionFile, snapshotBuildTargets } from './helpers';
import { runMochaIn } from './hostRun';

export function run(): Promise<void> {
  // What this window's Build Targets view shows at the end, for the reload suite (test/vscode/reload) to read back in a new window.
  return runMochaIn(__dirname, async () => {
    const file = sessionFile();
    if (file) fs.writeFileSync(file, JSON.stringify(await snapshotBuildTargets(), null, 1));
  });
}
