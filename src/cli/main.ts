import { Command, CommanderError } from 'commander';

import type { ProfileNewFlags } from './commands/profile-new-command.js';
import type { MigrateStoreFlags } from './commands/migrate-store-command.js';
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
    .action(async () => {
      exitCode = await (await import('./commands/start-command.js')).startCommand(globals(), io);
    });
  program.command('run')
    .description('one run now in the foreground: the given local file, or every stable unseen file at the profile\'s source')
    .argument('<profile>', 'profile id')
    .option('--file <path>', 'process this local file')
    .option('--param <k=v>', 'run parameter (repeatable)', collect, [])
    .option('--json', 'print the run as JSON on stdout')
    .action(async (profile: string, flags: { file?: string; json?: boolean; param?: string[] }) => {
      exitCode = await (await import('./commands/run-command.js')).runCommand(globals(), profile, flags, io);
    });
  program.command('preview')
    .description('read and map a local file with a profile; show records, request bodies and rejected rows; sends nothing')
    .argument('<profile>', 'profile id')
    .argument('<file>', 'local file to read')
    .option('--rows <n>', 'read at most n data rows (0: all)', '0')
    .option('--param <k=v>', 'run parameter (repeatable), as for ferry run', collect, [])
    .option('--json', 'print JSON instead of tables')
    .action(async (profile: string, file: string, flags: { rows?: string; json?: boolean; param?: string[] }) => {
      exitCode = await (await import('./commands/preview-command.js')).previewCommand(globals(), profile, file, flags, io);
    });
  const token = program.command('token').description('tokens for the admin API');
  token.command('new')
    .description('print a new API token and the entry (hashed) for FERRY_ADMIN_TOKENS or its file')
    .option('--role <role>', 'admin (may change things) or read', 'admin')
    .option('--name <name>', 'who holds it: recorded with the profile versions they save')
    .action(async (flags: { role?: string; name?: string }) => {
      if (flags.role !== 'admin' && flags.role !== 'read') {
        io.err('--role must be admin or read');
        exitCode = 2;
        return;
      }
      if (flags.name !== undefined && !/^[A-Za-z0-9_.@-]{1,64}$/.test(flags.name)) {
        io.err('--name is 1 to 64 letters, digits or _ . @ -');
        exitCode = 2;
        return;
      }
      const { newToken } = await import('../admin/admin-tokens.js');
      const made = newToken(flags.role, flags.name);
      io.out(`token (give it to the API client; it is not stored):\n  ${made.token}\nentry (add it to FERRY_ADMIN_TOKENS or the FERRY_ADMIN_TOKENS_FILE):\n  ${made.entry}`);
      exitCode = 0;
    });
  const profile = program.command('profile').description('work with profiles');
  profile.command('new')
    .description('write a starter profile from a sample file, with its format, columns and types detected')
    .requiredOption('--from <sample>', 'a sample file (CSV, XLSX, XML, JSON, NDJSON)')
    .option('--id <id>', 'profile id (default: from the file name)')
    .option('--format <type>', 'csv | xlsx | xml | json | ndjson (default: from the extension)')
    .option('--record <path>', 'XML/JSON: path of the repeating record')
    .option('--sheet <name|n>', 'XLSX: sheet name or number')
    .option('--header-row <n>', 'XLSX: the row that holds the column names')
    .option('--force', 'overwrite an existing profile')
    .action(async (flags: ProfileNewFlags) => {
      exitCode = await (await import('./commands/profile-new-command.js')).profileNewCommand(globals(), flags, io);
    });
  program.command('check')
    .description('validate every profile and connection; print every problem with file, line and key path')
    .action(async () => {
      exitCode = await (await import('./commands/check-command.js')).checkCommand(globals(), io);
    });
  program.command('test')
    .description('run the profile tests (profiles/<id>.test.yaml): expected records and rejections for a sample')
    .argument('[profile]', 'only this profile')
    .action(async (profile: string | undefined) => {
      exitCode = await (await import('./commands/test-command.js')).testCommand(globals(), profile, io);
    });
  program.command('status')
    .description('recent runs and batches from the state store, and what the daemon is waiting for')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many recent runs and batches', '20')
    .action(async (flags: { json?: boolean; limit?: string }) => {
      exitCode = await (await import('./commands/status-command.js')).statusCommand(globals(), flags, io);
    });
  const notifications = program.command('notifications')
    .description('the notification outbox: pending, delivered, dead-lettered and disabled')
    .option('--state <state>', 'only pending, delivered, dead or disabled')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (flags: { state?: string; json?: boolean; limit?: string }) => {
      exitCode = await (await import('./commands/notifications-command.js')).notificationsCommand(globals(), flags, io);
    });
  notifications.command('replay')
    .description('send a dead-lettered or disabled notification again, with the same webhook-id')
    .argument('<id>', 'notification id (msg_…)')
    .action(async (id: string) => {
      exitCode = await (await import('./commands/notifications-command.js')).replayNotificationCommand(globals(), id, io);
    });
  program.command('audit')
    .description('the audit trail of admin changes (profile saves, manual runs, reprocess, replays); --verify checks its hash chain')
    .option('--verify', 'walk the hash chain: exit 0 when intact, 1 naming the first broken row')
    .option('--limit <n>', 'how many rows, newest first', '50')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; verify?: boolean; limit?: string }) => {
      exitCode = await (await import('./commands/audit-command.js')).auditCommand(globals(), flags, io);
    });
  program.command('migrate-store')
    .description('copy a SQLite ledger (runs, batches, chunks, profile versions, outbox, …) into a PostgreSQL store, in one transaction; stop the daemon first')
    .option('--from <url>', 'the SQLite ledger: sqlite:<path> (default: --store)')
    .requiredOption('--to <url>', 'the PostgreSQL store: postgres://user@host:5432/database[?schema=name]')
    .option('--force', 'replace the ledger the target holds already')
    .action(async (flags: MigrateStoreFlags) => {
      exitCode = await (await import('./commands/migrate-store-command.js')).migrateStoreCommand(globals(), flags, io);
    });
  program.command('reprocess')
    .description('send a settled batch again, with the same idempotency keys')
    .argument('<batch-id>', 'batch id')
    .option('--original-version', 'use the profile version the batch first ran with, not the current one')
    .option('--json', 'print the new batch as JSON')
    .action(async (batchId: string, flags: { json?: boolean; originalVersion?: boolean }) => {
      exitCode = await (await import('./commands/reprocess-command.js')).reprocessCommand(globals(), batchId, flags, io);
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
