import type Docker from 'dockerode';
import * as path from 'path';
import { isStaticNativeElf, VersionReader, versionLine } from './artifacts';
import { LABEL_BUILD, LABEL_OWNER, LABEL_REPO } from './executor';
import { OWNER } from './leftovers';

/** Separates one binary's answer from the next in the probe's output. */
const MARK = '--dockerfork-version--';
/** The probe: for each path argument, the marker, then the first line of `PATH --version`. Paths are arguments, never part of the script. */
const SCRIPT = `for f in "$@"; do echo '${MARK}'; "$f" --version </dev/null 2>/dev/null | head -n 1; done`;
const PROBE_LIMIT_MS = 15_000;

/** Splits the engine's multiplexed log stream (8-byte frame headers) and keeps stdout. */
function stdoutOf(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    if (raw[i] === 1) parts.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Container builds on a local engine: reads the `--version` lines inside one
 * short-lived container of the builder image, with the repository mounted
 * read-only where the build saw it, so a binary linked against the builder's
 * libraries (dynbinary) answers as it would there, and nothing built for the
 * container runs on this host. One container for all binaries keeps the
 * cost to a single start.
 */
export function containerVersionReader(docker: Docker, image: string, repoRoot: string, sourcePath: string, runId: string): VersionReader {
  return async (files, signal) => {
    const found = new Map<string, string>();
    if (signal?.aborted) return found;
    const inContainer = files.map((f) => path.posix.join(sourcePath, path.relative(repoRoot, f).split(path.sep).join('/')));
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: ['sh', '-c', SCRIPT, 'sh'],
      Cmd: inContainer,
      Labels: { [LABEL_BUILD]: runId, [LABEL_REPO]: repoRoot, [LABEL_OWNER]: OWNER },
      NetworkDisabled: true,
      HostConfig: { Binds: [`${repoRoot}:${sourcePath}:ro`] },
    });
    const kill = () => container.remove({ force: true }).catch(() => undefined);
    signal?.addEventListener('abort', kill, { once: true });
    const limit = setTimeout(kill, PROBE_LIMIT_MS);
    try {
      await container.start();
      await container.wait();
      const raw = (await container.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
      const answers = stdoutOf(raw).split(`${MARK}\n`).slice(1);
      answers.forEach((answer, i) => {
        const line = answer.split('\n')[0].trim();
        if (line && i < files.length) found.set(files[i], line.slice(0, 200));
      });
    } catch {
      // A builder image without sh, or a cancel: versions stay unknown.
    } finally {
      clearTimeout(limit);
      signal?.removeEventListener('abort', kill);
      await kill();
    }
    return found;
  };
}

/**
 * Local engine: a statically linked binary of this machine's architecture
 * (moby's `binary`) answers `--version` the same here as in its builder, so it
 * runs here, which saves a container start on every rebuild; anything else
 * (a dynbinary linked against the builder's libraries, a script whose
 * interpreter only the builder has) is read in the builder image.
 */
export function localVersionReader(inBuilder: VersionReader): VersionReader {
  return async (files, signal) => {
    const kinds = await Promise.all(files.map((f) => isStaticNativeElf(f).catch(() => false)));
    const here = files.filter((_, i) => kinds[i]);
    const there = files.filter((_, i) => !kinds[i]);
    const [local, contained] = await Promise.all([
      Promise.all(here.map(async (f) => [f, await versionLine(f, signal)] as const)),
      there.length ? inBuilder(there, signal) : new Map<string, string>(),
    ]);
    const found = new Map(contained);
    for (const [f, line] of local) if (line) found.set(f, line);
    return found;
  };
}
