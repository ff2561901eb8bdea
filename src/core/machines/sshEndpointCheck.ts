/**
 * Why an SSH endpoint read from a file or setting cannot be used, or
 * undefined. Host and user end up as arguments of `ssh`, so a value starting
 * with `-` would be read as an option (`-oProxyCommand=…` runs a command):
 * such values are refused here, once, for every source. Whitespace and
 * control characters are refused because OpenSSH would split or reject them.
 */
export function sshEndpointError(host: string, user: string | undefined, port: number | undefined): string | undefined {
  if (!host) return 'no host name';
  if (host.startsWith('-')) return `host "${host}" starts with "-", which ssh would read as an option`;
  if (/[\s\x00-\x1f\x7f]/.test(host)) return `host "${host}" contains whitespace or control characters`;
  if (user !== undefined) {
    if (!user) return 'an empty user name';
    if (user.startsWith('-')) return `user "${user}" starts with "-", which ssh would read as an option`;
    if (/[\s@\x00-\x1f\x7f]/.test(user)) return `user "${user}" contains "@", whitespace or control characters`;
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) return `port ${port} is not a TCP port (1-65535)`;
  return undefined;
}
