/** The shape every `truce` subcommand has, so main.ts can dispatch and tests can run commands in-process. */

export interface CliIO {
  /** Machine-readable results (JSON, tables) go here. */
  stdout: (text: string) => void;
  /** Progress, warnings and errors go here. */
  stderr: (text: string) => void;
  /** Working directory the command resolves relative paths against. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT so long commands can stop cleanly. */
  signal?: AbortSignal;
  /**
   * Asks the user a yes/no question on the terminal. Present only when stdin is a terminal: CI
   * and pipes have none, so a command that would ask refuses instead of waiting forever.
   */
  confirm?: (question: string) => Promise<boolean>;
}

export const EXIT_OK = 0;
/** A file could not be read, a run failed, or a check did not pass. */
export const EXIT_FAILURE = 1;
/** Bad flags or arguments: the usage text is printed. */
export const EXIT_USAGE = 2;

export interface CliCommand {
  name: string;
  /** One line for `truce --help`. */
  summary: string;
  /** Full usage text printed on `truce <name> --help` and on usage errors. */
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Thrown by argument parsing; main.ts prints the message plus the command's usage and exits 2. */
export class UsageError extends Error {}
