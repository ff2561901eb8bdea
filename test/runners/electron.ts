// Runs the same test/vscode suite with @vscode/test-electron, in desktop VS
// Code. It downloads VS Code unless VSCODE_EXECUTABLE_PATH names an
// installed one, so it is used wherever a VS Code build is at hand.
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { makeRigDir, removeRigDir } from '../services/tempRoot';
import { startEngineWithBaseImage } from '../services/engineWithBaseImage';
import { makeSampleWorkspace, TEST_WORKSPACE_SETTINGS } from './workspace';

const REPO_ROOT = path.resolve(__dirname, '../../..');

async function main(): Promise<number> {
  const root = makeRigDir('electron');
  // The same private engine as the code-server runner: the build tests need one.
  const engine = await startEngineWithBaseImage(path.join(root, 'engine'), (l) => process.stderr.write(`${l}\n`));
  try {
    const workspace = await makeSampleWorkspace(path.join(root, 'workspace'), 'moby-fork', TEST_WORKSPACE_SETTINGS);
    return await runTests({
      extensionTestsEnv: { DOCKER_HOST: engine.host },
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out/test/vscode'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(root, 'user-data')],
    });
  } finally {
    await engine.stop();
    removeRigDir(root);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`@vscode/test-electron could not run the VS Code tests: ${e instanceof Error ? e.message : e}\n` + 'Set VSCODE_EXECUTABLE_PATH to an installed VS Code, or use the code-server runner (npm run test:vscode).\n');
    process.exitCode = 1;
  },
);
