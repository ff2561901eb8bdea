import * as fs from 'fs';

/** What a tests module in the extension host reports to a runner that cannot read an exit code (code-server). */
export interface HostTestReport {
  passed: string[];
  failed: Array<{ title: string; error: string }>;
  pending: string[];
  durationMs: number;
  /** Figures measured inside the host, for bench/. */
  metrics?: Record<string, number>;
}

/**
 * Writes the report where the runner asked (DFW_TEST_RESULT_FILE), then waits
 * until the runner has seen it: the host shuts the extension down once run()
 * settles, emptying its views, and the runner screenshots them first.
 * Without the variable (test-electron) it does nothing.
 */
export async function reportToRunner(report: HostTestReport): Promise<void> {
  const file = process.env.DFW_TEST_RESULT_FILE;
  if (!file) return;
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(`${file}.seen`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
