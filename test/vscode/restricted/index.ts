// Tests run in a window whose workspace is not trusted (see test/runners/codeServer.ts).
import { runMochaIn } from '../hostRun';

export function run(): Promise<void> {
  return runMochaIn(__dirname);
}
