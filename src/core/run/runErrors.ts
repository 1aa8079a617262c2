/**
 * A run that cannot start: bad config, unreadable tasks, a plan over budget, an endpoint that does
 * not answer. Thrown before any task runs (and before a run folder exists), with a message that
 * says what to change. Problems of single tasks are recorded in the run instead.
 */
export class RunSetupError extends Error {
  constructor(
    message: string,
    /** Extra lines (e.g. one per bad task line) shown under the message. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'RunSetupError';
  }
}
