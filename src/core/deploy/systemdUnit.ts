// Reading `systemctl cat docker.service` and writing our drop-in. The
// drop-in keeps every flag of the ExecStart that runs today (docker-machine
// puts its TLS flags in its own 10-machine.conf) and changes only the binary.

export interface UnitFile {
  /** `/etc/systemd/system/docker.service.d/10-machine.conf` */
  readonly path: string;
  readonly text: string;
}

/** `systemctl cat` output: each file starts with a `# /path` line. */
export function splitSystemctlCat(output: string): UnitFile[] {
  const files: UnitFile[] = [];
  let current: { path: string; lines: string[] } | undefined;
  for (const line of output.replace(/\r\n/g, '\n').split('\n')) {
    // A unit's own comments never name a unit file on a line of their own.
    const header = /^# (\/\S*\.(?:service|conf|socket))$/.exec(line);
    if (header) {
      if (current) files.push({ path: current.path, text: current.lines.join('\n').trim() + '\n' });
      current = { path: header[1], lines: [] };
      continue;
    }
    current?.lines.push(line);
  }
  if (current) files.push({ path: current.path, text: current.lines.join('\n').trim() + '\n' });
  return files;
}

/** Assignments of `key` in [Service] sections across files in order, continuation lines joined. */
function serviceAssignments(files: readonly UnitFile[], key: string): string[] {
  const values: string[] = [];
  for (const f of files) {
    let section = '';
    const lines = f.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i];
      while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i].trim();
      const t = line.trim();
      if (!t || t.startsWith('#') || t.startsWith(';')) continue;
      const sec = /^\[(.+)\]$/.exec(t);
      if (sec) {
        section = sec[1];
        continue;
      }
      if (section !== 'Service') continue;
      const eq = t.indexOf('=');
      if (eq > 0 && t.slice(0, eq).trim() === key) values.push(t.slice(eq + 1).trim());
    }
  }
  return values;
}

/** The ExecStart systemd would run: the last one after the last reset (`ExecStart=`). */
export function effectiveExecStart(files: readonly UnitFile[]): string | undefined {
  let current: string | undefined;
  for (const v of serviceAssignments(files, 'ExecStart')) current = v === '' ? undefined : v;
  return current;
}

/** The PATH a unit sets with Environment=, if any. */
export function unitPath(files: readonly UnitFile[]): string | undefined {
  let found: string | undefined;
  for (const v of serviceAssignments(files, 'Environment')) {
    for (const m of v.matchAll(/(?:^|\s)"?PATH=([^"\s]+)"?/g)) found = m[1];
  }
  return found;
}

export interface ExecLine {
  /** `-`, `+`, `!`… prefixes, kept as they were. */
  readonly prefix: string;
  readonly binary: string;
  /** Everything after the binary, verbatim (flags, `$OPTIONS`). */
  readonly rest: string;
}

export function splitExecStart(value: string): ExecLine {
  const m = /^([-+!:]*)/.exec(value)!;
  if (value.slice(m[1].length).startsWith('@')) throw new Error(`ExecStart with '@' (a separate argv[0]) is not supported: ${value}`);
  const body = value.slice(m[1].length);
  let binary: string;
  let rest: string;
  if (body.startsWith('"') || body.startsWith("'")) {
    const end = body.indexOf(body[0], 1);
    if (end < 0) throw new Error(`unbalanced quote in ExecStart: ${value}`);
    binary = body.slice(1, end);
    rest = body.slice(end + 1);
  } else {
    const sp = body.search(/\s/);
    binary = sp < 0 ? body : body.slice(0, sp);
    rest = sp < 0 ? '' : body.slice(sp);
  }
  return { prefix: m[1], binary, rest: rest.trim() };
}

/** The drop-in file name: after every drop-in there is (systemd applies them in name order). */
/** Our drop-in, under either of the names dropInName gives. */
export const OUR_DROP_IN = /^99-dockerfork\.conf$|~dockerfork\.conf$/;

export function dropInName(existing: readonly string[]): string {
  const ours = '99-dockerfork.conf';
  const others = existing.filter((n) => n !== ours && n.endsWith('.conf'));
  // '~' sorts after letters, digits, '-' and '.', as systemd's byte order has it.
  return others.every((n) => n < ours) ? ours : `${others.sort().at(-1)!.replace(/\.conf$/, '')}~dockerfork.conf`;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The drop-in: the current ExecStart's flags, the deployed binary, its folder first on PATH (containerd, runc, docker-proxy). */
export function renderDropIn(files: readonly UnitFile[], binaryDir: string, machine: string, when: string): string {
  const exec = effectiveExecStart(files);
  if (!exec) throw new Error(`${machine}: the docker unit has no ExecStart to take the flags from (systemctl cat printed none)`);
  const line = splitExecStart(exec);
  const binary = `${binaryDir.replace(/\/+$/, '')}/dockerd`;
  const quoted = /[\s"'\\]/.test(binary) ? `"${binary.replace(/(["\\])/g, '\\$1')}"` : binary;
  const pathValue = [binaryDir, ...(unitPath(files) ?? DEFAULT_PATH).split(':').filter((d) => d && d !== binaryDir)].join(':');
  return [
    `# Written by Docker Fork Workbench on ${when} for ${machine}: runs the dockerd deployed`,
    `# to ${binaryDir} with the flags of the ExecStart it replaces (${line.binary}).`,
    '# `dockerfork rollback` removes this file and restores what ran before.',
    '[Service]',
    `Environment="PATH=${pathValue}"`,
    'ExecStart=',
    `ExecStart=${line.prefix}${quoted}${line.rest ? ' ' + line.rest : ''}`,
    '',
  ].join('\n');
}
