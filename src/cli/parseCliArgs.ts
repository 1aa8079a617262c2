/** Argument parsing shared by every subcommand. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

/** Node's strict parseArgs, with its complaint about a flag turned into a usage error (exit 2 + usage). */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
