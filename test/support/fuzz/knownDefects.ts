/**
 * Defects the fuzzers found, each with a minimal input. All are fixed; the inputs stay as
 * regression tests (test/unit/fuzz/knownDefects.test.ts). KNOWN_DEFECTS lists findings the fast
 * slice may tolerate while a fix is pending: a new finding that matches none fails the suite.
 */
export interface KnownDefect {
  id: string;
  target: string;
  /** Matches the finding message or the thrown error's message. */
  matches: RegExp;
  /** A minimal input that shows it. */
  input: string;
  /** For prompt files: the file name that selects the format (default a.md). */
  uri?: string;
  where: string;
}

export const FUZZ_REGRESSIONS: KnownDefect[] = [
  {
    id: 'config-unresolved-alias',
    target: 'truce.yaml',
    matches: /Unresolved alias/,
    input: 'version: 1\nagents: *missing\n',
    where: 'src/core/config/parseConfig.ts: doc.toJS() throws ReferenceError for an alias without an anchor (doc.errors is empty)',
  },
  {
    id: 'front-matter-unresolved-alias',
    target: 'prompt files',
    matches: /Unresolved alias/,
    input: '---\nname: *x\n---\n- rule\n',
    where: 'src/core/units/frontMatter.ts: doc.toJS() throws; parsePromptDocument falls back to its catch-all error and drops every unit',
  },
  {
    id: 'otlp-usage-beyond-safe-integer',
    target: 'import otlp',
    matches: /Too big: expected int .* at (steps\[\d+\]\.)?usage/,
    input: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"00000000000000b2","name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.usage.output_tokens","value":{"doubleValue":1e308}}]}]}]}]}',
    where: 'src/core/trajectory/importOtlp.ts (usage from span attributes): token counts are not bounded to safe integers, so acceptBuilt drops the whole trace',
  },
  {
    id: 'otlp-trace-issue-without-path',
    target: 'import otlp',
    matches: /no model, tool or agent spans .* nothing imported/,
    input: '{"name":"x","context":{"trace_id":"0x5b8efff798038103d269b633813fc60c","span_id":"0x00000000000000a1"},"attributes":{"gen_ai.system":"x"}}',
    where: 'src/core/trajectory/importOtlp.ts: the "nothing imported" issue of a trace has path "" when the file is one bare span object (not wrapped in a list or an envelope)',
  },
  {
    id: 'otlp-attribute-object-with-tostring-key',
    target: 'import otlp',
    matches: /Cannot convert object to primitive value/,
    input: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"00000000000000b2","name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":{"toString":1}}},{"key":"x","value":{"doubleValue":{"valueOf":[]}}}]}]}]}]}',
    where: 'src/core/trajectory/otlpAttributes.ts decodeAnyValue: String()/Number() of a parsed object whose "toString" key is not a function throws, which crashed the import (found by the 100k-case fuzz run)',
  },
  {
    id: 'marble-empty-agent-id',
    target: 'import marble',
    matches: /Too small: expected string to have >=1 characters at (agents|steps)/,
    input: '{"task":"T","iterations":[{"iteration":1,"task_results":[{"":"done"}],"summary":"S","communications":[]}]}',
    where: 'src/core/trajectory/importMarble.ts normalizeResults/normalizeAssignments: an empty key becomes agent id "", so acceptBuilt drops the record',
  },
  {
    id: 'whowhen-empty-task-id',
    target: 'import whowhen',
    matches: /Too small: expected string to have >=1 characters at taskId/,
    input: '{"question_ID":"","history":[{"role":"WebSurfer","content":"x"}]}',
    where: 'src/core/trajectory/importWhoWhen.ts:165 taskId = asText(record.question_ID) ?? …: an empty question_ID is kept, so acceptBuilt drops the log',
  },
  {
    id: 'yaml-unit-keeps-lone-cr',
    target: 'prompt files',
    matches: /\(yaml-item\) reads ".*\\r" but its range holds/,
    input: 'agents:\n  a:\n    rules:\n      - keep it short\r',
    uri: 'agents.yaml',
    where: 'src/core/units/yamlUnits.ts: a YAML item on a last line ended by a lone "\\r" keeps the "\\r" in unit.text ("keep it short\\r") while its range stops before it',
  },
  {
    id: 'marble-usage-beyond-safe-integer',
    target: 'import marble',
    matches: /Too big: expected int .* at (steps\[\d+\]\.)?usage/,
    input: '{"task":"T","iterations":[{"iteration":1,"task_results":[{"agent_id":"a","result":"r"}],"summary":"S","communications":[]}],"token_usage":1e300}',
    where: 'src/core/trajectory/importMarble.ts: token_usage is copied into usage.total without a safe-integer bound, so acceptBuilt drops the record',
  },
  {
    id: 'whowhen-blank-role',
    target: 'import whowhen',
    matches: /Too small: expected string to have >=1 characters at (agents\[\d+\]\.id|steps\[\d+\]\.agentId)/,
    input: '{"history":[{"role":"A","content":"x"},{"role":" ","content":"y"}]}',
    where: 'src/core/trajectory/importWhoWhen.ts: a blank role (" ") passes the "neither name nor role" check and becomes agent id "", so acceptBuilt drops the log (its issue then has no path for a single-log file)',
  },
  {
    id: 'marble-null-agent-id',
    target: 'import marble',
    matches: /Too small: expected string to have >=1 characters at (agents|steps)/,
    input: '{"task":"T","iterations":[{"iteration":1,"task_results":[{"agent_id":null,"result":"r"},{"agent_id":"bob","result":"ok"}],"summary":"S","communications":[]}]}',
    where: 'src/core/trajectory/importMarble.ts normalizeResults: `agent_id: null` became agent id "", so the record was dropped',
  },
  {
    id: 'whowhen-empty-system-prompt-key',
    target: 'import whowhen',
    matches: /Too small: expected string to have >=1 characters at agents/,
    input: '{"history":[{"name":"A","content":"x"}],"system_prompt":{"":"You are nobody.","A":"You are A."}}',
    where: 'src/core/trajectory/importWhoWhen.ts: an empty key of system_prompt became an agent with id "", so the log was dropped',
  },
];

/** Findings tolerated while their fix is pending: none today. */
export const KNOWN_DEFECTS: KnownDefect[] = [];

export function knownDefect(target: string, message: string): KnownDefect | undefined {
  return KNOWN_DEFECTS.find((d) => d.target === target && d.matches.test(message));
}
