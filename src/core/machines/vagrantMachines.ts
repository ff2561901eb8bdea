import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import { Machine, MachineList, MachineProblem } from './machine';
import { sshEndpointError } from './sshEndpointCheck';
import { parseSshConfigBlocks, SshConfigBlock } from './vagrantSshConfig';

/** What running `vagrant ssh-config` in a folder printed. */
export interface VagrantRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vagrant ARGS` in `folder`; tests inject captured output instead. */
export type VagrantRunner = (argv: readonly string[], folder: string) => Promise<VagrantRun>;

/** Vagrant boots its Ruby runtime and may ask the provider for the state of every machine: allow it time. */
const VAGRANT_TIMEOUT_MS = 120_000;

/** The `vagrant` on PATH, run with an argv array (never a shell). A missing vagrant rejects with ENOENT. */
export const runVagrant: VagrantRunner = (argv, folder) =>
  new Promise((resolve, reject) => {
    execFile('vagrant', [...argv], { cwd: folder, timeout: VAGRANT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && typeof e.code === 'string') return reject(e); // ENOENT, EACCES: vagrant did not run
      resolve({ exitCode: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });

/** Keywords passed on to ssh as `-o`: they change how vagrant's boxes accept logins. */
const PASSED_OPTIONS: Readonly<Record<string, string>> = {
  identitiesonly: 'IdentitiesOnly',
  passwordauthentication: 'PasswordAuthentication',
  pubkeyacceptedkeytypes: 'PubkeyAcceptedKeyTypes',
  hostkeyalgorithms: 'HostKeyAlgorithms',
  proxycommand: 'ProxyCommand',
};

/** `.vagrant/machines/NAME/PROVIDER/private_key`: the provider is the only trace of it in ssh-config. */
function providerOf(identityFile: string | undefined): string | undefined {
  return identityFile ? /[\\/]\.vagrant[\\/]machines[\\/][^\\/]+[\\/]([^\\/]+)[\\/]private_key$/.exec(identityFile)?.[1] : undefined;
}

function machineFromBlock(b: SshConfigBlock, origin: string): { machine: Machine } | { problem: MachineProblem } {
  const first = (k: string) => b.values.get(k)?.[0];
  const where = `${origin}, Host ${b.host} (line ${b.line})`;
  const host = first('hostname');
  if (!host) return { problem: { name: b.host, source: 'vagrant', origin: where, message: 'vagrant ssh-config printed no HostName for this machine.' } };
  const portText = first('port');
  const port = portText === undefined ? undefined : /^\d+$/.test(portText) ? Number(portText) : NaN;
  const user = first('user');
  const invalid = sshEndpointError(host, user, port);
  if (invalid) return { problem: { name: b.host, source: 'vagrant', origin: where, message: `cannot be reached over SSH: ${invalid}.` } };
  const identityFiles = b.values.get('identityfile') ?? [];
  const options = Object.fromEntries(Object.entries(PASSED_OPTIONS).flatMap(([k, name]) => (first(k) ? [[name, first(k) as string]] : [])));
  // Vagrant turns host key checks off (StrictHostKeyChecking no, known hosts in
  // /dev/null) unless config.ssh.verify_host_key is set: then the user's
  // known_hosts decides, as it does for vagrant ssh.
  const vagrantSkipsHostKeys = first('stricthostkeychecking')?.toLowerCase() === 'no' || first('userknownhostsfile') === '/dev/null';
  const warnings = identityFiles.length > 1 ? [`vagrant offers ${identityFiles.length} keys for ${b.host}; only the first, ${identityFiles[0]}, is used.`] : undefined;
  return {
    machine: {
      name: b.host,
      source: 'vagrant',
      driver: providerOf(identityFiles[0]),
      ssh: { host, port, user, identityFile: identityFiles[0], hostKeys: vagrantSkipsHostKeys ? 'pinned' : 'user', options: Object.keys(options).length ? options : undefined },
      daemonHost: 'unix:///var/run/docker.sock',
      origin,
      warnings,
    },
  };
}

/** The machines in `vagrant ssh-config` output (every Host block), with a problem for each block that cannot be used. */
export function parseVagrantSshConfig(stdout: string, origin: string): MachineList {
  const read = parseSshConfigBlocks(stdout).map((b) => machineFromBlock(b, origin));
  return { machines: read.flatMap((r) => ('machine' in r ? [r.machine] : [])), problems: read.flatMap((r) => ('problem' in r ? [r.problem] : [])) };
}

/** The last lines vagrant wrote to stderr, which say why it failed ("not yet ready for SSH", "not created"). */
function lastLines(text: string, n = 3): string {
  return text.trim().split(/\r?\n/).filter((l) => l.trim()).slice(-n).join(' ');
}

/**
 * The Vagrant machines of `folder` (which holds a Vagrantfile), from
 * `vagrant ssh-config` run there. Vagrant stops at the first machine that is
 * not running, so whatever it printed before is kept, next to a problem.
 * Running vagrant evaluates the Vagrantfile, which is Ruby: callers only pass
 * folders the user chose (trusted workspace, or `--vagrant DIR`).
 */
export async function listVagrantMachines(folder: string, run: VagrantRunner = runVagrant): Promise<MachineList> {
  const vagrantfile = path.join(folder, 'Vagrantfile');
  const origin = `${vagrantfile} (vagrant ssh-config)`;
  const fail = (message: string): MachineList => ({ machines: [], problems: [{ name: path.basename(folder), source: 'vagrant', origin, message }] });
  if (!(await fs.stat(vagrantfile).then((s) => s.isFile(), () => false))) return fail(`there is no Vagrantfile in ${folder}.`);
  let result: VagrantRun;
  try {
    result = await run(['ssh-config'], folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `vagrant is not installed or not on PATH, so the machines of ${folder} cannot be listed.` : `vagrant could not be run in ${folder}: ${(e as Error).message}`);
  }
  const listed = parseVagrantSshConfig(result.stdout, origin);
  if (result.exitCode === 0) return listed;
  const why = lastLines(result.stderr) || `exit code ${result.exitCode}`;
  return { machines: listed.machines, problems: [...listed.problems, { name: path.basename(folder), source: 'vagrant', origin, message: `vagrant ssh-config failed in ${folder}: ${why} ('vagrant up' starts machines that are not running).` }] };
}
