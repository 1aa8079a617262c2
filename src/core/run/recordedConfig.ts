/**
 * The configuration as a run's manifest keeps it. The values of `mas.env` and `evaluator.env` are
 * left out: users put keys there (`env: { OPENAI_API_KEY: … }`), and the manifest is a file in
 * `.truce/` that gets shared with a run. The names stay, so the record still says what the program
 * was given. Nothing runs from this copy — a resume or an intervention reads truce.yaml again — and
 * the configuration hash is taken over the real values, so a changed value still changes the run.
 */
import type { TruceConfig } from '../config';

/** Stands in for a value that is not written to the run folder. */
export const NOT_RECORDED = '(not recorded)';

export function recordedConfig(config: TruceConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (config.mas.kind === 'command') out.mas = { ...config.mas, env: namesOnly(config.mas.env) };
  if (config.evaluator.type === 'command' && config.evaluator.env) out.evaluator = { ...config.evaluator, env: namesOnly(config.evaluator.env) };
  return out;
}

function namesOnly(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((name) => [name, NOT_RECORDED]));
}
