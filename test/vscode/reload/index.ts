// Tests run in a new window after the main suite (see test/runners/codeServer.ts).
import { runMochaIn } from '../hostRun';

export function run(): Promise<void> {
  return runMochaIn(__dirname);
}
