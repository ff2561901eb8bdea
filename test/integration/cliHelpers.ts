import { main } from '../../src/cli/main';
import { CliIo } from '../../src/cli/io';

/** Runs the dockerfork CLI in this process, as the installed command would, capturing its output and exit code. */
export async function runCli(argv: string[], cwd: string, signal?: AbortSignal, onOut?: (text: string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => ((out += t), onOut?.(t)), err: (t) => (err += t), cwd };
  const code = await main(argv, io, signal);
  return { code, out, err };
}
