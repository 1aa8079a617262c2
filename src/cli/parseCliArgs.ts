/** Argument parsing shared by every subcommand. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

/** Node's strict parseArgs, with its complaint about a flag turned into a usage error (exit 2 + usage). */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(plainComplaint(error as Error & { code?: string }));
  }
}

/**
 * Node's words for a bad flag, in one line a user can act on: its own messages run over several
 * lines, talk of "positional arguments" and leave a quote open ('-- "--bogus').
 */
function plainComplaint(error: Error & { code?: string }): string {
  // Node names an option with a short form as '-o, --out <value>': the long form is the one to show.
  const option = /Option '(?:-\w, )?(-{1,2}[\w-]+)/.exec(error.message)?.[1] ?? /option '([^']+)'/i.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}; the options of this command are listed below`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/ambiguous/.test(error.message)) return `${option} needs a value (one that starts with "-" is written ${option}=-…)`;
    if (/missing/.test(error.message)) return `${option} needs a value`;
  }
  return error.message.split('\n')[0] as string;
}
