import * as os from 'os';
import * as path from 'path';
import { listMachines, Machine, MachineProblem } from '../core/machines';
import { machineStoragePath } from '../core/machines/dockerMachineStore';
import { formatProblem, readWorkspaceMachineSettings } from '../core/repo/workspaceSettings';
import { parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const MACHINES_USAGE = 'dockerfork machines [--json] [--storage-path DIR] [--cwd DIR] [--vagrant DIR]';
export const MACHINES_SUMMARY = `List the machines to deploy to: docker-machine's store (MACHINE_STORAGE_PATH or
~/.docker/machine, or --storage-path), Docker contexts with ssh:// endpoints,
dockerFork.machines.sshHosts in DIR/.vscode/settings.json (--cwd), and the
Vagrant machines of --vagrant DIR (this runs 'vagrant ssh-config' there, which
evaluates its Vagrantfile). Machines that cannot be read are listed as problems.`;

/** One machine as `--json` prints it: every field present, null where OpenSSH or the source decides. */
function machineJson(m: Machine) {
  return {
    name: m.name,
    source: m.source,
    host: m.ssh.host,
    port: m.ssh.port ?? null,
    user: m.ssh.user ?? null,
    identityFile: m.ssh.identityFile ?? null,
    driver: m.driver ?? null,
    hostKeys: m.ssh.hostKeys,
    sshOptions: m.ssh.options ?? {},
    engine: m.engine ?? null,
    daemonHost: m.daemonHost ?? null,
    origin: m.origin,
    warnings: m.warnings ?? [],
  };
}

function sshTarget(m: Machine): string {
  const host = m.ssh.host.includes(':') ? `[${m.ssh.host}]` : m.ssh.host;
  return `${m.ssh.user ? `${m.ssh.user}@` : ''}${host}${m.ssh.port ? `:${m.ssh.port}` : ''}`;
}

function table(machines: readonly Machine[]): string {
  const rows = [['NAME', 'SOURCE', 'DRIVER', 'SSH', 'KEY'], ...machines.map((m) => [m.name, m.source, m.driver ?? '-', sshTarget(m), m.ssh.identityFile ?? '-'])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

const describeProblem = (p: MachineProblem) => `${p.origin}: ${p.name}: ${p.message}`;

/** Lists every machine the deploy commands can take, with the problems that kept others out. */
export async function machinesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, flags, help } = parseArgs(argv, { json: 'boolean', 'storage-path': 'string', cwd: 'string', vagrant: 'string' });
  if (help) return printCommandHelp(io, MACHINES_USAGE, MACHINES_SUMMARY);
  if (positionals.length) throw new UsageError(`machines takes no arguments, got '${positionals[0]}'`);
  const cwd = path.resolve(io.cwd, String(flags.get('cwd') ?? '.'));
  const env = process.env as Record<string, string | undefined>;
  const homeDir = os.homedir();
  const storagePath = flags.has('storage-path') ? path.resolve(io.cwd, String(flags.get('storage-path'))) : undefined;
  const settings = await readWorkspaceMachineSettings(cwd);
  const list = await listMachines({
    env,
    homeDir,
    storagePath,
    vagrantFolders: flags.has('vagrant') ? [path.resolve(io.cwd, String(flags.get('vagrant')))] : [],
    sshHosts: { entries: settings.sshHosts, lines: settings.sshHostLines, origin: settings.file ?? cwd, homeDir, baseDir: cwd },
  });
  const settingsProblems = settings.problems.map(formatProblem);
  if (flags.has('json')) {
    io.out(JSON.stringify({ machines: list.machines.map(machineJson), problems: list.problems, settingsProblems }, null, 2) + '\n');
  } else if (list.machines.length) {
    io.out(table(list.machines));
  } else {
    io.out(`No machines: none in docker-machine's store ${storagePath ?? machineStoragePath({ env, homeDir })}, no ssh:// Docker context, no dockerFork.machines.sshHosts in ${settings.file}.\n`);
  }
  if (!flags.has('json')) {
    for (const m of list.machines) for (const w of m.warnings ?? []) io.err(`warning: ${m.name}: ${w}\n`);
    for (const p of list.problems) io.err(`problem: ${describeProblem(p)}\n`);
    for (const p of settingsProblems) io.err(`warning: ${p}\n`);
  }
  return 0;
}
