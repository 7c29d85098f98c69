import { Command, CommanderError } from 'commander';

import { checkCommand } from './commands/check-command.js';
import { previewCommand } from './commands/preview-command.js';
import { type GlobalFlags, resolveGlobalOptions } from './options.js';
import type { CommandIo } from './types.js';

const stdio: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Collects repeated `--param k=v` flags. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Runs the ferry command line and resolves to the exit code (see cli-and-api.md): commands never
 * call process.exit themselves, so that tests and the daemon can call them in-process.
 */
export async function main(argv: readonly string[], io: CommandIo = stdio): Promise<number> {
  let exitCode = 0;
  const program = new Command('ferry')
    .description('File-transfer batch gateway: reads CSV, Excel and XML batches from folders and FTP/SFTP servers, maps them with profiles, and pushes the records to HTTP APIs.')
    .option('--profiles <dir>', 'profiles folder (env FERRY_PROFILES, default ./profiles)')
    .option('--data <dir>', 'state store, spool and staging folder (env FERRY_DATA, default ./data)')
    .option('--store <url>', 'state store: sqlite:<path> or postgres://… (env FERRY_STORE)')
    .option('--listen <host:port>', 'admin HTTP server address (env FERRY_LISTEN, default 127.0.0.1:8470)')
    .option('--log-level <level>', 'log level (env FERRY_LOG_LEVEL, default info)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();
  const globals = (): ReturnType<typeof resolveGlobalOptions> => resolveGlobalOptions(program.opts<GlobalFlags>());

  program.command('start')
    .description('run the daemon: every profile\'s triggers and the admin HTTP server, until SIGTERM/SIGINT')
    .action(() => {
      exitCode = notYet(io, 'start');
    });
  program.command('run')
    .description('one run now in the foreground: the given local file, or every stable unseen file at the profile\'s source')
    .argument('<profile>', 'profile id')
    .option('--file <path>', 'process this local file')
    .option('--param <k=v>', 'run parameter (repeatable)', collect, [])
    .option('--json', 'print the run as JSON on stdout')
    .action(() => {
      exitCode = notYet(io, 'run');
    });
  program.command('preview')
    .description('read and map a local file with a profile; show records, request bodies and rejected rows; sends nothing')
    .argument('<profile>', 'profile id')
    .argument('<file>', 'local file to read')
    .option('--rows <n>', 'read at most n data rows (0: all)', '0')
    .option('--json', 'print JSON instead of tables')
    .action(async (profile: string, file: string, flags: { rows?: string; json?: boolean }) => {
      exitCode = await previewCommand(globals(), profile, file, flags, io);
    });
  program.command('check')
    .description('validate every profile and connection; print every problem with file, line and key path')
    .action(async () => {
      exitCode = await checkCommand(globals(), io);
    });
  program.command('status')
    .description('recent runs and batches from the state store, and what the daemon is waiting for')
    .option('--json', 'print JSON')
    .action(() => {
      exitCode = notYet(io, 'status');
    });
  program.command('reprocess')
    .description('send a settled batch again, with the same idempotency keys')
    .argument('<batch-id>', 'batch id')
    .action(() => {
      exitCode = notYet(io, 'reprocess');
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? 0 : 2;
    }
    throw err;
  }
  return exitCode;
}

function notYet(io: CommandIo, name: string): number {
  io.err(`ferry ${name} needs the state store and delivery pipeline, which this build does not include yet`);
  return 2;
}
