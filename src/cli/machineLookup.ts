import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { DeployRecords } from '../core/deploy/deployRecords';
import { listMachines, Machine } from '../core/machines';
import { ConfirmHostKey, PinnedHostKeys } from '../core/ssh/hostKeys';
import { stateDir } from '../core/stateDir';
import { readWorkspaceMachineSettings } from '../core/repo/workspaceSettings';
import { ParsedArgs } from './args';
import { CliIo, UsageError } from './io';

/** The options every machine command takes to find machines, as `dockerfork machines` does. */
export const MACHINE_LOOKUP_OPTIONS = { 'storage-path': 'string', cwd: 'string', vagrant: 'string' } as const;

/** The machines named, in the order named; an unknown or unreadable one is an error naming it. */
export async function lookUpMachines(names: readonly string[], flags: ParsedArgs['flags'], io: CliIo): Promise<Machine[]> {
  if (names.length === 0) throw new UsageError('name at least one machine (see dockerfork machines)');
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const homeDir = os.homedir();
  const settings = await readWorkspaceMachineSettings(cwd);
  const list = await listMachines({
    env: process.env as Record<string, string | undefined>,
    homeDir,
    storagePath: flags.has('storage-path') ? path.resolve(io.cwd, String(flags.get('storage-path'))) : undefined,
    vagrantFolders: flags.has('vagrant') ? [path.resolve(io.cwd, String(flags.get('vagrant')))] : [],
    sshHosts: { entries: settings.sshHosts, lines: settings.sshHostLines, origin: settings.file ?? cwd, homeDir, baseDir: cwd },
  });
  return names.map((name) => {
    const m = list.machines.find((x) => x.name === name);
    if (m) {
      for (const w of m.warnings ?? []) io.err(`warning: ${m.name}: ${w}\n`);
      return m;
    }
    const problem = list.problems.find((p) => p.name === name);
    if (problem) throw new Error(`machine ${name} cannot be used: ${problem.origin}: ${problem.message}`);
    throw new Error(`no machine named ${name}; known: ${list.machines.map((x) => x.name).join(', ') || 'none'} (see dockerfork machines)`);
  });
}

/** Pinned host keys and deploy records, shared with the extension (see core/stateDir). */
export function deployState(): { pinnedHostKeys: PinnedHostKeys; records: DeployRecords } {
  const dir = stateDir(process.env, os.homedir());
  return { pinnedHostKeys: new PinnedHostKeys(path.join(dir, 'known_hosts')), records: new DeployRecords(path.join(dir, 'deploys.json')) };
}

/**
 * First contact with a machine whose key is pinned on first use: the
 * fingerprint is shown; on a terminal the user is asked, otherwise
 * --accept-new-host-key must say yes beforehand.
 */
export function cliConfirmHostKey(io: CliIo, acceptNew: boolean): ConfirmHostKey {
  return async ({ machine, host, keys, file }) => {
    io.err(`${machine}: first connection to ${host}; its host key${keys.length > 1 ? 's' : ''}:\n${keys.map((k) => `  ${k.type} ${k.fingerprint}\n`).join('')}`);
    if (acceptNew) {
      io.err(`${machine}: pinned in ${file} (--accept-new-host-key); a different key will be refused from now on.\n`);
      return true;
    }
    if (!io.interactive) {
      io.err(`${machine}: not pinned. Check the fingerprint out of band, then run again with --accept-new-host-key.\n`);
      return false;
    }
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await new Promise<string>((resolve) => rl.question(`Trust this key for ${machine} and pin it? [y/N] `, resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
  };
}
