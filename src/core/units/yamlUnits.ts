/**
 * Policy units of YAML agent files: a map of agents (CrewAI's `agents.yaml`), a list of agents, an
 * `agents:` key holding either, or a single agent's map. Rules are string values and string list
 * items; block scalars (`|`, `>`) hold Markdown and are parsed as such, with positions mapped back
 * into the file.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { AgentCollector } from './agentCollector';
import type { LineIndex } from './lineIndex';
import { LineView } from './lineView';
import { isLockedAt } from './locks';
import { markdownUnits } from './markdownUnits';
import { variablesIn } from './templateVars';
import type { AgentKind, ParseError, SetAsideKind, UnitStyle } from './types';
import { classifySentence } from './classify';
import { sentenceSpans } from './sentences';

/**
 * Keys that configure or describe an agent rather than tell it how to behave. CrewAI's `backstory`
 * is read (its persona sentences are set aside as context, the ones that say what the agent does
 * are rules), its `role` is kept as the agent's role statement, and a task's `description` and
 * `expected_output` instruct.
 */
const STRUCTURE_KEYS = new Set([
  'id', 'name', 'kind', 'type', 'model', 'llm', 'provider', 'tools',
  'allow_delegation', 'verbose', 'max_iter', 'max_rpm', 'max_execution_time', 'memory', 'cache',
  'temperature', 'max_tokens', 'top_p', 'inputs', 'outputs', 'sample', 'metadata', 'version', 'authors',
  'tags', 'agent', 'handoffs', 'output_file', 'output_schema', 'function_calling_llm', 'knowledge_sources',
  'embedder', 'prompt_file', 'file', 'path', 'icon', 'color', 'enabled', 'reasoning', 'multimodal',
]);

const AGENT_KINDS: AgentKind[] = ['role', 'aggregator', 'judge', 'other'];

export function yamlUnits(file: LineIndex, agents: AgentCollector, errors: ParseError[]): void {
  const docs = parseAllDocuments(file.text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) errors.push({ message: 'The file holds no YAML document.', line: 0, character: 0 });
  for (const doc of list) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      errors.push({ message: `YAML: ${e.message.split('\n')[0]}`, line: (e.linePos?.[0].line ?? 1) - 1, character: (e.linePos?.[0].col ?? 1) - 1 });
    }
    if (doc.errors.length > 0) continue;
    const root = doc.contents as Node | null;
    if (!root) continue;
    for (const entry of agentEntries(root)) {
      if (entry.id !== undefined) {
        const start = entry.keyNode?.range?.[0] ?? entry.node.range?.[0] ?? 0;
        agents.startAgent(entry.id, start, undefined, entry.kind);
      }
      if (isMap(entry.node)) walkMap(file, agents, entry.node, [], true);
      else if (isSeq(entry.node) || isScalar(entry.node)) walkValue(file, agents, entry.node, []);
      if (entry.id !== undefined) agents.setEnd(entry.node.range?.[1] ?? file.text.length);
    }
  }
}

interface AgentEntry {
  /** Undefined: the file's default agent. */
  id?: string;
  kind?: AgentKind;
  node: Node;
  keyNode?: Node;
}

function declaredKind(map: YAMLMap): AgentKind | undefined {
  const k = map.get('kind');
  return typeof k === 'string' && (AGENT_KINDS as string[]).includes(k) ? (k as AgentKind) : undefined;
}

function agentEntries(root: Node): AgentEntry[] {
  if (isMap(root)) {
    const agentsNode = root.get('agents', true) as Node | undefined;
    if (agentsNode && (isMap(agentsNode) || isSeq(agentsNode))) return agentEntries(agentsNode);
    const pairs = root.items as Pair<Scalar, Node>[];
    if (pairs.length > 0 && pairs.every((p) => isMap(p.value))) {
      return pairs.map((p) => ({ id: String(p.key?.value ?? ''), kind: declaredKind(p.value as YAMLMap), node: p.value as Node, keyNode: p.key as Node }));
    }
    return [{ node: root }];
  }
  if (isSeq(root) && root.items.length > 0 && root.items.every((i) => isMap(i))) {
    return (root.items as YAMLMap[]).map((m, n) => {
      const named = ['id', 'name', 'role'].map((k) => m.get(k)).find((v) => typeof v === 'string') as string | undefined;
      return { id: named?.trim() || `agent-${n + 1}`, kind: declaredKind(m), node: m };
    });
  }
  return [{ node: root }];
}

function walkMap(file: LineIndex, agents: AgentCollector, map: YAMLMap, path: string[], agentLevel: boolean): void {
  // A CrewAI task (description + expected_output) instructs in its description; elsewhere a
  // `description` describes.
  const isTask = map.has('expected_output');
  for (const pair of map.items as Pair<Scalar, Node>[]) {
    const key = String(pair.key?.value ?? '');
    const lower = key.toLowerCase();
    if (agentLevel && STRUCTURE_KEYS.has(lower)) continue;
    if (agentLevel && lower === 'description' && !isTask) continue;
    const setAside: SetAsideKind | undefined = agentLevel && lower === 'role' ? 'role' : undefined;
    if (pair.value) walkValue(file, agents, pair.value, [...path, key], pair.key as Node, setAside, lower === 'expected_output');
  }
}

function walkValue(file: LineIndex, agents: AgentCollector, node: Node, path: string[], keyNode?: Node, setAside?: SetAsideKind, specifies = false): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string') scalarUnits(file, agents, node, path, keyNode, setAside, specifies);
  } else if (isSeq(node)) {
    for (const item of node.items as Node[]) {
      if (isScalar(item) && typeof item.value === 'string') scalarUnits(file, agents, item, path, undefined, setAside);
      else if (isMap(item)) walkMap(file, agents, item, path, false);
    }
  } else if (isMap(node)) {
    walkMap(file, agents, node, path, false);
  }
}

/** A flow scalar is a rule when any of its sentences instructs; otherwise it is context. */
function scalarVerdict(text: string, opening: boolean): 'rule' | SetAsideKind {
  let sawRole = false;
  for (const s of sentenceSpans(text)) {
    const v = classifySentence(text.slice(s.start, s.end), { opening, listItem: true });
    if (v === 'rule') return 'rule';
    if (v === 'role') sawRole = true;
  }
  return sawRole ? 'role' : 'context';
}

function scalarUnits(file: LineIndex, agents: AgentCollector, node: Scalar, path: string[], keyNode?: Node, setAside?: SetAsideKind, specifies = false): void {
  const [start, end] = node.range ?? [0, 0];
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    blockScalarUnits(file, agents, node, path, setAside, specifies);
    return;
  }
  let from = start;
  let to = end;
  const quote: UnitStyle['quote'] = node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'QUOTE_SINGLE' ? 'single' : 'plain';
  if (quote !== 'plain') {
    from++;
    to--;
  }
  while (to > from && /\s/.test(file.text[to - 1])) to--;
  if (to <= from) return;
  // A lone "\r" ends a line for editors but is content for YAML: keep the text and the range alike.
  const text = quote === 'plain' ? String(node.value).trimEnd() : String(node.value);
  if (!text.trim()) return;
  const startPos = file.positionAt(from);
  const endPos = file.positionAt(to);
  const line = file.lineText(startPos.line);
  // For a list item the construct starts at its dash; for a key's value, at the key.
  const anchorOffset = keyNode?.range?.[0] ?? start;
  const anchor = file.positionAt(anchorOffset);
  const anchorLine = file.lineText(anchor.line);
  const indentLen = anchorLine.length - anchorLine.trimStart().length;
  const isItem = !keyNode;
  const blockStart = file.starts[anchor.line] + indentLen;
  const marker = isItem ? line.slice(indentLen, startPos.character - (quote === 'plain' ? 0 : 1)) : '';
  const opening = agents.noteContent();
  const verdict = setAside ?? (specifies ? 'rule' : scalarVerdict(text, opening));
  (verdict === 'rule' ? agents.current().units : agents.current().context).push({
    agentId: agents.current().id,
    kind: verdict === 'rule' ? 'yaml-item' : verdict,
    text,
    range: { start: startPos, end: endPos },
    sectionPath: path,
    vars: variablesIn(file.text.slice(from, to)),
    locked: isLockedAt(file, anchor.line),
    style: { marker: isItem ? marker : '', indent: anchorLine.slice(0, indentLen), quote },
    block: { start: blockStart, end: quote === 'plain' ? to : to + 1 },
  });
}

function blockScalarUnits(file: LineIndex, agents: AgentCollector, node: Scalar, path: string[], setAside?: SetAsideKind, specifies = false): void {
  const [start, end] = node.range ?? [0, 0];
  const header = file.positionAt(start);
  let last = file.positionAt(end).line;
  if (file.positionAt(end).character === 0 && last > header.line) last--;
  while (last > header.line && !file.lineText(last).trim()) last--;
  const first = header.line + 1;
  if (last < first) return;
  const headerText = file.lineText(header.line).slice(header.character);
  const explicit = /^[|>][+-]?([1-9])/.exec(headerText);
  let indent: number;
  if (explicit) {
    const keyLine = file.lineText(header.line);
    indent = keyLine.length - keyLine.trimStart().length + Number(explicit[1]);
  } else {
    let l = first;
    while (l <= last && !file.lineText(l).trim()) l++;
    const t = file.lineText(l);
    indent = t.length - t.trimStart().length;
  }
  const view = LineView.ofIndentedLines(file, first, last + 1, indent);
  markdownUnits({ view, agents, basePath: path, agentHeadings: false, setAside, specifies });
}
