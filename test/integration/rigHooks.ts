// Mocha global fixtures for the integration layer: one rig for the whole run.
import type { Rig } from '../services/rig';
import { startRig } from '../services/rig';

let rig: Rig | undefined;

/** The running rig; only valid inside integration tests. */
export function currentRig(): Rig {
  if (!rig) throw new Error('The integration rig is not running (is test/integration/rigHooks loaded with --require?)');
  return rig;
}

export async function mochaGlobalSetup(): Promise<void> {
  rig = await startRig();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await rig?.stop();
  rig = undefined;
}
