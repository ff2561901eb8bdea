import * as path from 'path';
import { checkRepository, Dependency, forkDependency, listDependencies, resetDependency, VendorEdit } from '../core/vendor';
import { ParsedArgs, parseArgs, printCommandHelp } from './args';
import { CliIo, UsageError } from './io';

export const VENDOR_USAGE = 'dockerfork vendor list|fork|reset|check [options]';
export const VENDOR_SUMMARY = `Show and edit the vendored dependencies (vendor.conf, vendor.mod, go.mod):
  vendor list [--cwd DIR] [--json]
  vendor fork MODULE --repo URL [--ref REF] [--version V] [--module PATH] [--file F] [--offline]
  vendor reset MODULE [--file F]
  vendor check [--cwd DIR] [--json]      exit 1 when a vendor file has an error`;

const SUBCOMMANDS = `Subcommands:
  list    Every dependency: module, version, source (fork URL or replacement, or -), file:line.
  fork    Point MODULE at a fork. vendor.conf gets the repository URL as its third field
          (a branch given with --ref is pinned to its commit); vendor.mod / go.mod get
          'replace MODULE => FORK_MODULE VERSION', VERSION being the fork commit's tag or
          pseudo-version (worked out by fetching the fork; --version gives it instead).
          --module names the fork's Go module when the URL does not; --offline skips the
          network (module files then need --version); --file edits only that file.
  reset   Put MODULE back as the upstream branch (remote 'upstream', else 'origin') has it.
  check   Lint the vendor files: print FILE:LINE: MESSAGE per problem.
All take --cwd DIR (the repository, default .) and --json.`;

function rootOf(io: CliIo, args: ParsedArgs): string {
  return path.resolve(io.cwd, String(args.flags.get('cwd') ?? '.'));
}

function onlyModule(args: ParsedArgs, sub: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`vendor ${sub} takes one MODULE, got ${args.positionals.length}`);
  return args.positionals[0];
}

function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function printEdits(io: CliIo, module: string, edits: VendorEdit[]): void {
  for (const e of edits) {
    for (const line of e.changedLines) io.out(`${e.file}:${line}: ${e.text.split('\n')[line - 1].replace(/\r$/, '').trim()}\n`);
    for (const line of e.removedLines) io.out(`${e.file}:${line}: removed the replace of ${module}\n`);
    if (e.changedLines.length + e.removedLines.length === 0) io.out(`${e.file}: ${module} unchanged\n`);
  }
}

/** `dockerfork vendor SUBCOMMAND`: list, fork, reset, check. */
export async function vendorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help') {
    printCommandHelp(io, VENDOR_USAGE, `${VENDOR_SUMMARY}\n\n${SUBCOMMANDS}`);
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'list': {
      const args = parseArgs(rest, { cwd: 'string', json: 'boolean' });
      if (args.help) return printCommandHelp(io, 'dockerfork vendor list [--cwd DIR] [--json]', SUBCOMMANDS);
      if (args.positionals.length > 0) throw new UsageError(`vendor list takes no arguments, got '${args.positionals[0]}'`);
      const deps = await listDependencies(rootOf(io, args));
      if (args.flags.has('json')) {
        io.out(JSON.stringify(deps.map(({ module, version, source, file, line, forked }: Dependency) => ({ module, version, source, file, line, forked })), null, 2) + '\n');
      } else {
        for (const d of deps) io.out(`${d.forked ? '*' : ' '} ${d.module}\t${d.version ?? '-'}\t${d.source ?? '-'}\t${d.file}:${d.line}\n`);
        if (deps.length === 0) io.err(`No vendor.conf, vendor.mod or go.mod dependencies at ${rootOf(io, args)}.\n`);
      }
      return 0;
    }
    case 'fork': {
      const args = parseArgs(rest, { cwd: 'string', json: 'boolean', repo: 'string', ref: 'string', version: 'string', module: 'string', file: 'string', offline: 'boolean' });
      if (args.help) return printCommandHelp(io, 'dockerfork vendor fork MODULE --repo URL [--ref REF] [--version V] [--module PATH] [--file F] [--offline] [--cwd DIR] [--json]', SUBCOMMANDS);
      const module = onlyModule(args, 'fork');
      const repo = stringFlag(args, 'repo');
      if (repo === undefined) throw new UsageError('vendor fork needs --repo URL (the fork\'s repository)');
      const result = await forkDependency(rootOf(io, args), module, {
        repo,
        ref: stringFlag(args, 'ref'),
        version: stringFlag(args, 'version'),
        forkModule: stringFlag(args, 'module'),
        file: stringFlag(args, 'file'),
        offline: args.flags.has('offline'),
      });
      for (const w of result.warnings) io.err(`dockerfork: warning: ${w}\n`);
      if (args.flags.has('json')) {
        io.out(JSON.stringify({ ...result, edits: result.edits.map(({ text: _text, ...e }) => e) }, null, 2) + '\n');
        return 0;
      }
      const r = result.resolved;
      if (r) io.out(`${r.url} ${r.ref}${r.refName && r.refName !== r.ref ? ` (${r.refName})` : ''} is commit ${r.commit}\n`);
      if (result.version) io.out(`version ${result.version}\n`);
      printEdits(io, module, result.edits);
      return 0;
    }
    case 'reset': {
      const args = parseArgs(rest, { cwd: 'string', json: 'boolean', file: 'string' });
      if (args.help) return printCommandHelp(io, 'dockerfork vendor reset MODULE [--file F] [--cwd DIR] [--json]', SUBCOMMANDS);
      const module = onlyModule(args, 'reset');
      const result = await resetDependency(rootOf(io, args), module, { file: stringFlag(args, 'file') });
      if (args.flags.has('json')) {
        io.out(JSON.stringify({ upstream: result.upstream, edits: result.edits.map(({ text: _text, ...e }) => e) }, null, 2) + '\n');
        return 0;
      }
      io.out(`as in ${result.upstream.revision}:\n`);
      printEdits(io, module, result.edits);
      return 0;
    }
    case 'check': {
      const args = parseArgs(rest, { cwd: 'string', json: 'boolean' });
      if (args.help) return printCommandHelp(io, 'dockerfork vendor check [--cwd DIR] [--json]', SUBCOMMANDS);
      if (args.positionals.length > 0) throw new UsageError(`vendor check takes no arguments, got '${args.positionals[0]}'`);
      const problems = await checkRepository(rootOf(io, args));
      if (args.flags.has('json')) io.out(JSON.stringify(problems, null, 2) + '\n');
      else {
        for (const p of problems) {
          const file = path.relative(io.cwd, p.file) || p.file;
          io.out(`${file}:${p.line}${p.column ? `:${p.column}` : ''}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}\n`);
        }
      }
      return problems.some((p) => p.severity === 'error') ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown vendor subcommand '${sub}' (list, fork, reset, check)`);
  }
}
