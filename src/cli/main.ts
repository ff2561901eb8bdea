import { PRODUCT } from '../core/productInfo';
import { indent } from './args';
import { CLONE_SUMMARY, CLONE_USAGE, cloneCommand } from './cloneCommand';
import { BUILD_SUMMARY, BUILD_USAGE, buildCommand } from './buildCommand';
import { CACHE_SUMMARY, CACHE_USAGE, cacheCommand } from './cacheCommand';
import { DETECT_SUMMARY, DETECT_USAGE, detectCommand } from './detectCommand';
import { MACHINES_SUMMARY, MACHINES_USAGE, machinesCommand } from './machinesCommand';
import { REPO_SUMMARY, REPO_USAGE, repoCommand } from './repoCommand';
import { TARGETS_SUMMARY, TARGETS_USAGE, targetsCommand } from './targetsCommand';
import { VENDOR_SUMMARY, VENDOR_USAGE, vendorCommand } from './vendorCommand';
import { CliIo, processIo, UsageError } from './io';
import { DEPLOY_SUMMARY, DEPLOY_USAGE, deployCommand, ROLLBACK_SUMMARY, ROLLBACK_USAGE, rollbackCommand, STATUS_SUMMARY, STATUS_USAGE, statusCommand } from './deployCommand';

const HELP = `dockerfork — ${PRODUCT.name} ${PRODUCT.version} on the command line

Usage:
  dockerfork <command> [options]

Commands:
  ${DETECT_USAGE}
${indent(DETECT_SUMMARY)}
  ${TARGETS_USAGE}
${indent(TARGETS_SUMMARY)}
  ${BUILD_USAGE}
${indent(BUILD_SUMMARY)}
  ${CACHE_USAGE}
${indent(CACHE_SUMMARY)}
  ${VENDOR_USAGE}
${indent(VENDOR_SUMMARY)}
  ${CLONE_USAGE}
${indent(CLONE_SUMMARY)}
  ${REPO_USAGE}
${indent(REPO_SUMMARY)}
  ${MACHINES_USAGE}
${indent(MACHINES_SUMMARY)}
  ${STATUS_USAGE}
${indent(STATUS_SUMMARY)}
  ${DEPLOY_USAGE}
${indent(DEPLOY_SUMMARY)}
  ${ROLLBACK_USAGE}
${indent(ROLLBACK_SUMMARY)}

Options:
  -h, --help     Show this help (after a command: that command's).
  --version      Print the version.

Exit codes: 0 success, 1 the command failed, 2 it was called wrongly, 130 cancelled (Ctrl-C).
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
      case 'vendor':
        return await vendorCommand(rest, io);
      case 'clone':
        return await cloneCommand(rest, io, signal);
      case 'repo':
        return await repoCommand(rest, io);
      case 'machines':
        return await machinesCommand(rest, io);
      case 'status':
        return await statusCommand(rest, io, signal);
      case 'deploy':
        return await deployCommand(rest, io, signal);
      case 'rollback':
        return await rollbackCommand(rest, io);
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
