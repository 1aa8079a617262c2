/**
 * Reads `truce.yaml`: YAML syntax, then the zod schema, then references between sections. Every
 * problem comes back as a diagnostic with a file position and, where we can tell, what to do.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { closestWord } from './closestWord';
import { looksLikeSecretLiteral } from './secretLiteral';
import { truceConfigSchema, type TruceConfig } from './schema';

export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  /** What to do about it. */
  hint?: string;
  /** 0-based, like every position in this project. */
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  /** Where in the config the problem is, e.g. "llm.executor.baseUrl". */
  path: string;
}

export type ConfigResult =
  | { ok: true; config: TruceConfig; diagnostics: ConfigDiagnostic[] }
  | { ok: false; diagnostics: ConfigDiagnostic[] };

export interface ConfigContext {
  /** The folder that holds truce.yaml; every path in it is relative to this and must stay inside. */
  workspaceRoot: string;
  /** When given, missing prompt and task files are reported. */
  fileExists?: (absolutePath: string) => boolean;
  /**
   * When given, says why a lexically inside path still leads out of the workspace (a symbolic
   * link); pass `workspaceEscape` from src/core/workspacePath.ts where the files are local.
   */
  escapes?: (workspaceRoot: string, file: string) => string | undefined;
}

const HINTS: Record<string, string> = {
  apiKey: 'API keys never go in truce.yaml: put the key in an environment variable and name it with apiKeyEnv, or run "TRUCE: Set API Key".',
};

/** What to do about a bad value, by the name of its setting, where the schema's message alone does not say. */
const VALUE_HINTS: Record<string, string> = {
  apiKeyEnv: 'Put the key in an environment variable and write only the name of that variable here, e.g. apiKeyEnv: OPENAI_API_KEY. If a real key was written here and the file was shared or committed, revoke that key at your provider.',
};

/** What a missing top-level section is for, with the smallest form that works. */
const MISSING_HINTS: Record<string, string> = {
  agents: 'List the agents whose prompts TRUCE edits, e.g. agents: [{ id: solver, prompt: prompts/solver.md }].',
  tasks: 'Name the tasks file (one JSON task per line, {"id", "input", "reference"}): tasks: { file: tasks.jsonl }.',
  evaluator: 'Say how an answer is scored, e.g. evaluator: { type: exact }; the types are exact, choice, contains-all, regex, numeric, llm-judge and command.',
  llm: 'Name the model endpoint, e.g. llm: { executor: { baseUrl: http://127.0.0.1:11434/v1, model: qwen2.5:1.5b } }; TRUCE\'s own calls (credit, suggestions) go there even when a command MAS calls its model itself.',
  mas: 'Say which MAS runs the tasks: the built-in rounds MAS (mas: { kind: rounds, roles: [...], rounds: 2, aggregator: ... }) or your program (mas: { kind: command, argv: [python, team.py] }).',
};

export function parseConfig(text: string, context: ConfigContext): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diagnostics: ConfigDiagnostic[] = [];
  const at = (offsets: [number, number], path: string, severity: ConfigDiagnostic['severity'], message: string, hint?: string) => {
    const s = lines.linePos(offsets[0]);
    const e = lines.linePos(Math.max(offsets[0], offsets[1]));
    diagnostics.push({ severity, message, hint, path, line: s.line - 1, character: s.col - 1, endLine: e.line - 1, endCharacter: e.col - 1 });
  };
  for (const e of doc.errors) at([e.pos[0], e.pos[1]], '', 'error', e.message.split('\n')[0]);
  if (diagnostics.length) return { ok: false, diagnostics };
  if (!doc.contents) {
    at([0, 0], '', 'error', 'truce.yaml is empty.', 'Start from the example in examples/debate-mas/truce.yaml.');
    return { ok: false, diagnostics };
  }

  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // The yaml package reports some problems (an alias without its anchor) only when converting.
    const alias = /\*[^\s,\]}]+/.exec(text);
    const offset = alias ? alias.index : 0;
    at([offset, offset + (alias?.[0].length ?? 0)], '', 'error', `${(error as Error).message.split('\n')[0]}.`, 'Define the anchor (&name) before using the alias (*name), or write the value out.');
    return { ok: false, diagnostics };
  }
  const parsed = truceConfigSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(doc, issue, at);
    return { ok: false, diagnostics };
  }
  const config = parsed.data;
  checkReferences(doc, config, context, at);
  checkEnvLiterals(doc, config, at);
  return diagnostics.some((d) => d.severity === 'error') ? { ok: false, diagnostics } : { ok: true, config, diagnostics };
}

type Reporter = (offsets: [number, number], path: string, severity: ConfigDiagnostic['severity'], message: string, hint?: string) => void;

function rangeOf(doc: Document, path: (string | number)[]): [number, number] {
  // The deepest node that exists on the path: a missing key is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return [node.range[0], node.range[1]];
  }
  return [0, 0];
}

function keyRange(doc: Document, path: (string | number)[], key: string): [number, number] {
  const parent = path.length ? doc.getIn(path, true) : doc.contents;
  if (isMap(parent)) {
    for (const item of parent.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) return [item.key.range[0], item.key.range[1]];
    }
  }
  return rangeOf(doc, path);
}

function knownKeys(doc: Document, path: (string | number)[]): string[] {
  // The schema's keys at this path, for "did you mean": walk the zod shape along the path.
  let schema: unknown = truceConfigSchema;
  for (const part of path) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (shape && typeof part === 'string') schema = shape[part];
    else if ((schema as { element?: unknown }).element) schema = (schema as { element: unknown }).element;
    else if ((schema as { options?: unknown[] }).options) {
      schema = (unwrap(pickOption(doc, schema, path.slice(0, path.indexOf(part)))) as { shape?: Record<string, unknown> })?.shape?.[part as string];
    } else return [];
  }
  schema = unwrap(schema);
  const shape = (schema as { shape?: Record<string, unknown> })?.shape;
  if (shape) return Object.keys(shape);
  if ((schema as { options?: unknown[] })?.options) {
    return Object.keys((unwrap(pickOption(doc, schema, path)) as { shape?: Record<string, unknown> })?.shape ?? {});
  }
  return [];
}

/** The member of a discriminated union (`kind:`, `type:`) that the document's value selects. */
function pickOption(doc: Document, union: unknown, path: (string | number)[]): unknown {
  const u = union as { options: unknown[]; def?: { discriminator?: string } };
  const key = u.def?.discriminator ?? 'kind';
  const value = doc.getIn([...path, key]);
  return u.options.find((o) => {
    const field = (unwrap(o) as { shape?: Record<string, { value?: unknown; def?: { values?: unknown[] } }> }).shape?.[key];
    return field?.value === value || field?.def?.values?.includes(value);
  });
}

function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { innerType?: unknown; in?: unknown; schema?: unknown } } | undefined;
  for (let i = 0; i < 10 && s?.def; i++) {
    const inner = s.def.innerType ?? s.def.in ?? s.def.schema;
    if (!inner) break;
    s = inner as typeof s;
  }
  return s;
}

function reportIssue(doc: Document, issue: z.core.$ZodIssue, at: Reporter): void {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const dotted = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(doc, path);
    for (const key of issue.keys) {
      const guess = closestWord(key, known);
      const hint = HINTS[key] ?? (guess ? `Did you mean "${guess}"?` : known.length ? `Allowed here: ${known.join(', ')}.` : undefined);
      at(keyRange(doc, path, key), dotted ? `${dotted}.${key}` : key, 'error', `Unknown key "${key}"${dotted ? ` in ${dotted}` : ''}.`, hint);
    }
    return;
  }
  const missing = issue.code === 'invalid_type' && doc.getIn(path) === undefined;
  const message = missing ? `Missing required setting "${dotted}".` : `${dotted || 'truce.yaml'}: ${issue.message}.`;
  // A refinement can carry its own hint (params.hint); otherwise the setting's, if it has one.
  const own = issue.code === 'custom' ? (issue.params as { hint?: unknown } | undefined)?.hint : undefined;
  const hint = typeof own === 'string' ? own : missing ? (path.length === 1 ? MISSING_HINTS[dotted] : undefined) : VALUE_HINTS[String(path[path.length - 1])];
  at(rangeOf(doc, path), dotted, 'error', message, hint);
}

function checkReferences(doc: Document, config: TruceConfig, context: ConfigContext, at: Reporter): void {
  const ids = new Set<string>();
  config.agents.forEach((a, i) => {
    if (ids.has(a.id)) at(rangeOf(doc, ['agents', i, 'id']), `agents.${i}.id`, 'error', `Agent id "${a.id}" is used twice.`, 'Give every agent its own id.');
    ids.add(a.id);
    checkPath(doc, ['agents', i, 'prompt'], a.prompt, 'prompt file', context, at);
  });
  checkPath(doc, ['tasks', 'file'], config.tasks.file, 'tasks file', context, at);
  const ref = (agentId: string, path: (string | number)[]) => {
    if (!ids.has(agentId)) {
      const guess = closestWord(agentId, [...ids]);
      at(rangeOf(doc, path), path.join('.'), 'error', `No agent "${agentId}" is defined under agents.`, guess ? `Did you mean "${guess}"?` : `Defined agents: ${[...ids].join(', ')}.`);
    }
  };
  const mas = config.mas;
  if (mas.kind === 'rounds') {
    mas.roles.forEach((r, i) => ref(r, ['mas', 'roles', i]));
    if (Array.isArray(mas.aggregator)) {
      mas.aggregator.forEach((r, i) => ref(r, ['mas', 'aggregator', i]));
      if (mas.aggregator.length !== mas.rounds) at(rangeOf(doc, ['mas', 'aggregator']), 'mas.aggregator', 'error', `mas.aggregator lists ${mas.aggregator.length} aggregators for ${mas.rounds} rounds.`, 'Give one aggregator for all rounds, or exactly one per round.');
    } else ref(mas.aggregator, ['mas', 'aggregator']);
    if (mas.decision) ref(mas.decision, ['mas', 'decision']);
  } else if (mas.kind === 'import') {
    mas.files.forEach((f, i) => checkPath(doc, ['mas', 'files', i], f, 'trajectory file', context, at));
  } else if (mas.cwd) {
    checkPath(doc, ['mas', 'cwd'], mas.cwd, 'working directory', context, at);
  }
  if (config.demo) checkPath(doc, ['demo', 'world'], config.demo.world, 'demo world file', context, at);
}

/** Warns about env values that look like secrets; the value is never repeated in the warning. */
function checkEnvLiterals(doc: Document, config: TruceConfig, at: Reporter): void {
  const sections: Array<[string, Record<string, string> | undefined]> = [
    ['mas', config.mas.kind === 'command' ? config.mas.env : undefined],
    ['evaluator', config.evaluator.type === 'command' ? config.evaluator.env : undefined],
  ];
  for (const [section, env] of sections) {
    for (const [name, value] of Object.entries(env ?? {})) {
      if (!looksLikeSecretLiteral(name, value)) continue;
      const path = [section, 'env', name];
      at(
        rangeOf(doc, path),
        path.join('.'),
        'warning',
        `${section}.env.${name} looks like a secret written into truce.yaml, a file that is usually committed.`,
        `Keep it in your environment and pass the variable through by name instead: remove it from ${section}.env and add ${name} to ${section}.passEnv.`,
      );
    }
  }
}

function checkPath(doc: Document, path: (string | number)[], value: string, what: string, context: ConfigContext, at: Reporter): void {
  const abs = resolve(context.workspaceRoot, value);
  const rel = relative(context.workspaceRoot, abs);
  if (isAbsolute(value) || rel.startsWith('..') || isAbsolute(rel)) {
    at(rangeOf(doc, path), path.join('.'), 'error', `The ${what} "${value}" is outside the workspace.`, 'Paths in truce.yaml are relative to its folder and must stay inside it.');
    return;
  }
  const escape = context.escapes?.(context.workspaceRoot, value);
  if (escape) {
    at(rangeOf(doc, path), path.join('.'), 'error', `The ${what} "${value}" is outside the workspace: ${escape}.`, 'TRUCE reads and writes only files inside the folder of truce.yaml; copy the file into it instead of linking to it.');
    return;
  }
  if (context.fileExists && !context.fileExists(abs)) {
    at(rangeOf(doc, path), path.join('.'), 'warning', `The ${what} "${value}" does not exist yet.`);
  }
}
