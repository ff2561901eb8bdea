import { PRODUCT } from '../core/productInfo';
import { BUILD_USAGE, buildCommand } from './buildCommand';
import { CACHE_USAGE, cacheCommand } from './cacheCommand';
import { DETECT_USAGE, detectCommand } from './detectCommand';
import { TARGETS_USAGE, targetsCommand } from './targetsCommand';
import { CliIo, processIo, UsageError } from './io';

const HELP = `dockerfork — ${PRODUCT.name} ${PRODUCT.version} on the command line

Usage:
  dockerfork <command> [options]

Commands:
  ${DETECT_USAGE}
      List the Docker source trees (moby, docker-ce, docker/cli, vendored
      components) at DIR and below it. Exit 1 when there is none.
  ${TARGETS_USAGE}
      List each repository's build targets (* marks the default).
  ${BUILD_USAGE}
      Build TARGET (default: the repository's default target) in a container
      or with the repository's own make, streaming its output. --json prints
      one event per line (log, progress, artifact, done). The exit code is the
      build's; Ctrl-C cancels it and removes its container.
  ${CACHE_USAGE}
      List (default) or remove the build cache volumes (Go build and module
      caches) of the repository at DIR. Clearing is refused while it builds.

Options:
  -h, --help     Show this help.
  --version      Print the version.

Exit codes: 0 success, 1 the command failed, 2 it was called wrongly.
`;

/** Runs the CLI and returns its exit code; never calls process.exit itself. */
export async function main(argv: readonly string[], io: CliIo = processIo, signal?: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case 'version':
        io.out(`${PRODUCT.version}\n`);
        return 0;
      case 'detect':
        return await detectCommand(rest, io);
      case 'targets':
        return await targetsCommand(rest, io);
      case 'build':
        return await buildCommand(rest, io, signal);
      case 'cache':
        return await cacheCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dockerfork: ${e.message}\nRun 'dockerfork --help' for usage.\n`);
      return 2;
    }
    io.err(`dockerfork: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
