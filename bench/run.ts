// `npm run bench`: every figure, printed as tables for the README.
import { activationBench } from './activation';
import { bundleSizeBench } from './bundleSize';

async function main(): Promise<void> {
  bundleSizeBench();
  await activationBench();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
