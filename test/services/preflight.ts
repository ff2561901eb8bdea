import * as fs from 'fs';
import * as path from 'path';

/** A program the rig runs, and the Debian package that provides it. */
export interface RequiredTool {
  readonly binary: string;
  readonly debianPackage: string;
  readonly purpose: string;
}

export const TOOLS = {
  dockerd: { binary: 'dockerd', debianPackage: 'docker.io', purpose: 'the private Docker engine' },
  containerd: { binary: 'containerd', debianPackage: 'containerd', purpose: 'the private Docker engine' },
  unshare: { binary: 'unshare', debianPackage: 'util-linux', purpose: "the private Docker engine's own network namespace" },
  mount: { binary: 'mount', debianPackage: 'mount', purpose: "the private Docker engine's own /run" },
  ip: { binary: 'ip', debianPackage: 'iproute2', purpose: "the private Docker engine's own network namespace" },
  sshd: { binary: 'sshd', debianPackage: 'openssh-server', purpose: 'the SSH test host' },
  sshKeygen: { binary: 'ssh-keygen', debianPackage: 'openssh-client', purpose: 'the SSH test host keys' },
  ssh: { binary: 'ssh', debianPackage: 'openssh-client', purpose: 'SSH commands' },
  git: { binary: 'git', debianPackage: 'git', purpose: 'the git daemon and repositories' },
  debootstrap: { binary: 'debootstrap', debianPackage: 'debootstrap', purpose: 'the local base image' },
  tar: { binary: 'tar', debianPackage: 'tar', purpose: 'the local base image' },
  openssl: { binary: 'openssl', debianPackage: 'openssl', purpose: 'the TLS engine endpoint' },
  chromium: { binary: 'chromium', debianPackage: 'chromium', purpose: 'driving VS Code (code-server) in a browser' },
} satisfies Record<string, RequiredTool>;

/** sshd and dockerd live in sbin, which a non-root PATH often lacks. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of `binary`, or undefined when it is nowhere on `searchPath` or in sbin. */
export function findBinary(binary: string, searchPath = process.env.PATH ?? '', extraDirs = EXTRA_DIRS): string | undefined {
  for (const dir of [...searchPath.split(path.delimiter).filter(Boolean), ...extraDirs]) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export class MissingToolsError extends Error {
  constructor(readonly missing: readonly RequiredTool[]) {
    const packages = [...new Set(missing.map((t) => t.debianPackage))];
    super(
      `The test rig cannot start: ${missing.map((t) => `'${t.binary}' (for ${t.purpose})`).join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not installed.\n` +
        `Install ${packages.length === 1 ? 'it' : 'them'} with: sudo apt-get install -y ${packages.join(' ')}\n` +
        `(npm test runs scripts/bootstrap.sh, which does this when it may.)`,
    );
    this.name = 'MissingToolsError';
  }
}

/** Throws one MissingToolsError naming every missing tool and the packages to install. */
export function requireTools(tools: readonly RequiredTool[], searchPath?: string, extraDirs?: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: RequiredTool[] = [];
  for (const t of tools) {
    const p = findBinary(t.binary, searchPath, extraDirs);
    if (p) found[t.binary] = p;
    else missing.push(t);
  }
  if (missing.length > 0) throw new MissingToolsError(missing);
  return found;
}
