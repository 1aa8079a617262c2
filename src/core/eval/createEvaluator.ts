/**
 * Builds the evaluator a `truce.yaml` asks for. Validation happens here, once: the config's form
 * through the zod schema, its meaning through the evaluator's constructor; both fail with an
 * `EvaluatorConfigError` naming the offending key.
 */
import { ChoiceEvaluator } from './choice';
import { CommandEvaluator } from './command';
import { EvaluatorConfigSchema, type EvaluatorConfig } from './config';
import { ContainsAllEvaluator } from './containsAll';
import { EvaluatorConfigError } from './errors';
import { ExactEvaluator } from './exact';
import { JudgeEvaluator } from './judge';
import { NumericEvaluator } from './numeric';
import { RegexEvaluator } from './regex';
import type { StructuredCaller } from './structuredCaller';
import type { Evaluator } from './types';

export interface EvaluatorDeps {
  /** Whether the user trusts the workspace; required to run a `command` evaluator. Default false. */
  workspaceTrusted?: boolean;
  /** Working directory for `command` evaluators (the workspace folder). */
  cwd?: string;
  /** The judge model, for `llm-judge`. */
  caller?: StructuredCaller;
}

export function createEvaluator(config: unknown, deps: EvaluatorDeps = {}): Evaluator {
  const parsed = EvaluatorConfigSchema.safeParse(config);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.map(String).join('.'));
    const lines = parsed.error.issues.map((i) => `- ${i.path.length ? i.path.map(String).join('.') : '(evaluator)'}: ${i.message}`);
    throw new EvaluatorConfigError(`The evaluator configuration is invalid:\n${lines.join('\n')}`, paths);
  }
  return build(parsed.data, deps);
}

function build(config: EvaluatorConfig, deps: EvaluatorDeps): Evaluator {
  switch (config.type) {
    case 'exact':
      return new ExactEvaluator(config);
    case 'choice':
      return new ChoiceEvaluator(config);
    case 'regex':
      return new RegexEvaluator(config);
    case 'numeric':
      return new NumericEvaluator(config);
    case 'contains-all':
      return new ContainsAllEvaluator(config);
    case 'command':
      return new CommandEvaluator(config, { workspaceTrusted: deps.workspaceTrusted ?? false, cwd: deps.cwd });
    case 'llm-judge':
      return new JudgeEvaluator(config, deps.caller);
  }
}
