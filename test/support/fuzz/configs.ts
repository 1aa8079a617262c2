/**
 * Fuzz target: truce.yaml. A valid config (written here, covering every MAS kind) is damaged the
 * way hand edits damage YAML — a value of the wrong type, a misspelt or duplicated key, a shifted
 * indent, an alias, a tab, a cut-off file — plus the generic text damage.
 *
 * Properties: parseConfig returns (never throws); every diagnostic has integer 0-based line and
 * character, an end not before its start, and a message; an `ok` result passes the schema again.
 */
import fc from 'fast-check';
import { parseConfig, truceConfigSchema } from '../../../src/core/config';
import { finding, isPosition, type Finding, type FuzzTarget } from './target';
import { mutatedText } from './textMutations';

const HEAD = `version: 1
agents:
  - id: proposer
    kind: role
    prompt: prompts/proposer.md
  - id: skeptic
    prompt: agents.yaml
    section: skeptic
  - id: merger
    kind: aggregator
    prompt: agents.yaml
    section: merger
`;

const TAIL = `tasks:
  file: tasks.jsonl
  split: { train: 0.6, val: 0.2, test: 0.2 }
  seed: 3
evaluator:
  type: choice
  letters: ABCD
llm:
  executor:
    baseUrl: http://127.0.0.1:11434/v1
    model: small-model
    temperature: 0
    maxConcurrency: 8
concurrency: 4
budget:
  maxCalls: 300
optimizer:
  method: truce
  rounds: 2
  topK: 3
`;

const MAS = [
  `mas:\n  kind: rounds\n  roles: [proposer, skeptic]\n  rounds: 2\n  aggregator: merger\n  earlyStop: consensus\n`,
  `mas:\n  kind: rounds\n  roles:\n    - proposer\n    - skeptic\n  rounds: 2\n  aggregator: [merger, merger]\n  decision: merger\n`,
  `mas:\n  kind: command\n  argv: [python, run.py, --task]\n  cwd: mas\n  env: { MODE: fast }\n  otlp: true\n`,
  `mas:\n  kind: import\n  files: [runs/a.jsonl, runs/b.json]\n  format: auto\n`,
];

/** Values of the wrong type, bad ranges and YAML constructs that are legal but surprising. */
const ODD_VALUES = ['', '~', 'null', '-1', '0', '1e400', '.nan', '3.5', 'true', '"x"', '[]', '{}', '[a, [b]]', '{a: {b: c}}', '*undefinedAlias', '&a 1', '!!binary aGk=', '"\\u0000"', '../outside', '/abs/path', 'http://', "'unterminated", '"unterminated', '|\n  block', '>-', '? complex\n: key', '2001-12-14', '0x1F', '日本語', '😀'];
const KEYS = ['id', 'kind', 'prompt', 'section', 'roles', 'rounds', 'aggregator', 'decision', 'file', 'split', 'seed', 'type', 'baseUrl', 'model', 'apiKey', 'agentz', 'concurency', 'maxCalls', 'method', 'topK', 'argv', 'files', 'format', 'version'];

type YamlOp =
  | { op: 'value'; line: number; value: string }
  | { op: 'key'; line: number; key: string }
  | { op: 'indent'; line: number; by: number }
  | { op: 'duplicate'; line: number }
  | { op: 'tab'; line: number };

const yamlOp: fc.Arbitrary<YamlOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('value' as const), line: fc.nat(), value: fc.oneof(fc.constantFrom(...ODD_VALUES), fc.string({ maxLength: 8 })) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('key' as const), line: fc.nat(), key: fc.constantFrom(...KEYS) }) },
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('tab' as const), line: fc.nat() }),
);

function applyYamlOp(text: string, op: YamlOp): string {
  const lines = text.split('\n');
  const i = op.line % lines.length;
  const line = lines[i] as string;
  const colon = line.indexOf(':');
  switch (op.op) {
    case 'value':
      lines[i] = colon >= 0 ? `${line.slice(0, colon)}: ${op.value}` : `${line.match(/^\s*-?\s*/)?.[0] ?? ''}${op.value}`;
      break;
    case 'key':
      if (colon >= 0) lines[i] = `${line.match(/^[\s-]*/)?.[0] ?? ''}${op.key}${line.slice(colon)}`;
      break;
    case 'indent':
      lines[i] = op.by >= 0 ? ' '.repeat(op.by) + line : line.replace(new RegExp(`^ {0,${-op.by}}`), '');
      break;
    case 'duplicate':
      lines.splice(i, 0, line);
      break;
    case 'tab':
      lines[i] = line.replace(/^ +/, '\t');
      break;
  }
  return lines.join('\n');
}

const validConfig = fc.constantFrom(...MAS).map((mas) => HEAD + mas + TAIL);
const yamlEdited = fc.tuple(validConfig, fc.array(yamlOp, { minLength: 1, maxLength: 3 })).map(([text, ops]) => ops.reduce(applyYamlOp, text));
// Mostly one to three YAML-level edits, so most cases still parse as YAML and reach the schema
// and reference checks; a quarter also get generic text damage.
export const configText: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: yamlEdited }, { weight: 1, arbitrary: mutatedText(yamlEdited, 2) });

export function checkConfig(text: string): Finding[] {
  const out: Finding[] = [];
  const lineCount = text.split(/\r\n|\r|\n/).length;
  const result = parseConfig(text, { workspaceRoot: '/workspace', fileExists: (p) => !p.includes('missing') });
  for (const d of result.diagnostics) {
    const located = isPosition(d.line) && isPosition(d.character) && isPosition(d.endLine) && isPosition(d.endCharacter);
    if (!located || d.line >= lineCount || d.endLine < d.line || (d.endLine === d.line && d.endCharacter < d.character)) {
      out.push(finding('error-without-location', `diagnostic "${d.message}" at ${d.line}:${d.character}-${d.endLine}:${d.endCharacter} (${lineCount} lines)`));
    }
    if (typeof d.message !== 'string' || !d.message) out.push(finding('invalid-output', 'a diagnostic without a message'));
  }
  if (result.ok && !truceConfigSchema.safeParse(result.config).success) out.push(finding('invalid-output', 'an ok config that fails the schema'));
  if (!result.ok && !result.diagnostics.some((d) => d.severity === 'error')) out.push(finding('invalid-output', 'a failed parse without an error diagnostic'));
  return out;
}

export const configTarget: FuzzTarget<string> = {
  name: 'truce.yaml',
  arbitrary: configText,
  check: checkConfig,
  show: (text) => JSON.stringify(text),
};
