/**
 * Configuration mistakes surface once, when the evaluator is built, so a bad `truce.yaml` fails
 * before any money is spent on a run rather than as a zero score on every task.
 */
export class EvaluatorConfigError extends Error {
  constructor(
    message: string,
    /** Dotted paths into the evaluator config, e.g. `pattern` or `tolerance.rel`. */
    readonly paths: string[] = [],
  ) {
    super(message);
    this.name = 'EvaluatorConfigError';
  }
}
