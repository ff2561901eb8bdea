// Parses what `vagrant ssh-config` prints: one OpenSSH config block per
// machine (templates/commands/ssh_config/config.erb in hashicorp/vagrant):
//
//   Host default
//     HostName 127.0.0.1
//     User vagrant
//     Port 2222
//     UserKnownHostsFile /dev/null
//     StrictHostKeyChecking no
//     PasswordAuthentication no
//     IdentityFile "/path with spaces/.vagrant/machines/default/virtualbox/private_key"
//     IdentitiesOnly yes
//     LogLevel FATAL

/** One `Host` block, keywords lower-cased as OpenSSH compares them. */
export interface SshConfigBlock {
  readonly host: string;
  /** 1-based line of the `Host` keyword. */
  readonly line: number;
  /** Every value of each keyword, in order (IdentityFile may repeat). */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

/**
 * A value as OpenSSH reads it. Vagrant wraps a path with spaces in double
 * quotes and escapes nothing inside (hashicorp/vagrant#6428 shows a path
 * with quotes in it printed that way), so only the outer quotes are removed.
 */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Splits ssh_config text into Host blocks; `Keyword value` and `Keyword=value` both work, as in OpenSSH. */
export function parseSshConfigBlocks(text: string): SshConfigBlock[] {
  const blocks: Array<{ host: string; line: number; values: Map<string, string[]> }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const keyword = m[1].toLowerCase();
    const value = unquote(m[2].trim());
    if (keyword === 'host') {
      blocks.push({ host: value, line: i + 1, values: new Map() });
      return;
    }
    const block = blocks[blocks.length - 1];
    if (!block) return; // settings before any Host: not vagrant's output
    block.values.set(keyword, [...(block.values.get(keyword) ?? []), value]);
  });
  return blocks;
}
