// `npm run bench`: every figure, printed as tables for the README.
import { activationBench } from './activation';
import { bundleSizeBench } from './bundleSize';
import { cloneBench } from './clone';
import { contextSendBench } from './contextSend';
import { deployBench } from './deploy';
import { firstOutputBench } from './firstOutput';
import { logFloodBench } from './logFlood';
import { rebuildBench } from './rebuild';

async function main(): Promise<void> {
  bundleSizeBench();
  await activationBench();
  await contextSendBench();
  await firstOutputBench();
  await logFloodBench();
  await rebuildBench();
  await cloneBench();
  await deployBench();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
