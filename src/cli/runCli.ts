/** Dispatches argv to a subcommand; usable in-process by tests (no process.exit here). */
import { commands } from './commands';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from './command';

declare const TRUCE_VERSION: string | undefined;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: truce <command> [options]',
    '',
    'Prompt-rule engineering for LLM multi-agent systems.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `truce <command> --help` for the options of a command.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview()}\n`);
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${typeof TRUCE_VERSION === 'string' ? TRUCE_VERSION : 'dev'}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`truce: unknown command "${name}".\n\n${overview()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`truce ${name}: ${e.message}\n\n${command.usage}\n`);
      return EXIT_USAGE;
    }
    // Unexpected failures are reported in one line; the stack only when asked for.
    io.stderr(`truce ${name}: ${(e as Error).message}\n`);
    if (io.env.TRUCE_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return EXIT_FAILURE;
  }
}
