/**
 * A MAS that cannot be set up at all: a prompt file without the configured agent, an aggregator
 * list that does not fit the rounds, an external command in an untrusted workspace. Thrown before
 * any task runs, because every task would fail the same way; failures of single executions are
 * `MasRunFailure` values instead.
 */
export class MasSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasSetupError';
  }
}
