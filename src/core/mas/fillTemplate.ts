/**
 * Fills the template variables a prompt uses for run-time facts (`Condense round {round}`, `the
 * debate about {{question}}`). Only variables with a known value are replaced; anything else —
 * an unknown name, a Jinja statement, a JSON example in braces — stays exactly as written, so a
 * prompt that does not use templates is never changed.
 *
 * Forms: `{{ name }}`, `{name}` and VS Code's `${input:name}` / `${input:name:placeholder}`.
 */
import type { MasTask } from './types';

const VARIABLE = /\$\{input:([A-Za-z_]\w*)(?::[^}\n]*)?\}|\{\{\s*([A-Za-z_][\w.]*)\s*\}\}|(?<![{$])\{([A-Za-z_][\w.]*)\}(?!\})/g;

export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (whole, input?: string, mustache?: string, field?: string) => {
    const name = (input ?? mustache ?? field) as string;
    return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
  });
}

export interface TemplateFacts {
  task: MasTask;
  round?: number;
  rounds: number;
  agentId: string;
  /** The shared state the call sees (S_{t-1}, or S_R for the decision); '' when there is none yet. */
  state?: string;
}

/**
 * The values a rounds-MAS prompt can refer to: every scalar field of the task but `reference` by its own name,
 * `input` (also `question` and `task` unless the task has fields of those names), `round`,
 * `rounds`, `agent` and `state`.
 */
export function templateValues(facts: TemplateFacts): Record<string, string> {
  const values: Record<string, string> = { question: facts.task.input, task: facts.task.input };
  for (const [key, value] of Object.entries(facts.task)) {
    // The expected answer must never reach the agents being scored against it.
    if (key === 'reference') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
  }
  values.input = facts.task.input;
  values.rounds = String(facts.rounds);
  values.agent = facts.agentId;
  if (facts.round !== undefined) values.round = String(facts.round);
  if (facts.state !== undefined) values.state = facts.state;
  return values;
}
