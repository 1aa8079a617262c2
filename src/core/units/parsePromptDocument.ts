/** Entry point: a prompt file's text → its agents and policy units (DESIGN.md §3). */
import { AgentCollector, kindFromName } from './agentCollector';
import { agentIdFromPath, detectFormat } from './detectFormat';
import { splitFrontMatter } from './frontMatter';
import { LineIndex } from './lineIndex';
import { LineView } from './lineView';
import { markdownUnits } from './markdownUnits';
import { findProtectedSpans, protectedSpanOver, type ProtectedSpan } from './protectedSpans';
import { promptyUnits } from './promptyUnits';
import type { AgentKind, AgentPrompt, Handoff, ParseError, PolicyUnit, PromptDocument, PromptFormat, RawUnit } from './types';
import { assignIds, baseUnitId, type BaseIdCache } from './unitId';
import { yamlUnits } from './yamlUnits';

export interface ParseOptions {
  /** File path or URI; decides the format when `format` is absent and names the default agent. */
  uri: string;
  format?: PromptFormat;
  /** The agent a single-agent file defines (from truce.yaml); otherwise front matter or file name. */
  defaultAgentId?: string;
}

const AGENT_KINDS: AgentKind[] = ['role', 'aggregator', 'judge', 'other'];

export function parsePromptDocument(text: string, options: ParseOptions): PromptDocument {
  const format = options.format ?? detectFormat(options.uri, text);
  const file = new LineIndex(text);
  const errors: ParseError[] = [];
  try {
    const agents = collect(file, format, options, errors);
    applyProtectedSpans(file, agents, errors);
    return { uri: options.uri, format, agents, errors };
  } catch (e) {
    // A parser defect must not take the editor or the CLI down with it; report it where it shows.
    errors.push({ message: `TRUCE could not parse this file (${(e as Error).message}). Please report it with the file attached.`, line: 0, character: 0 });
    return { uri: options.uri, format, agents: [], errors };
  }
}

function collect(file: LineIndex, format: PromptFormat, options: ParseOptions, errors: ParseError[]): AgentPrompt[] {
  const head = readHead(file, format, options);
  errors.push(...head.errors);
  const agents = new AgentCollector(head.defaultId, head.defaultKind, file.text.length);
  switch (format) {
    case 'yaml':
      yamlUnits(file, agents, errors);
      break;
    case 'prompty':
      promptyUnits(file, agents, head.bodyStart);
      break;
    case 'markdown':
    case 'text':
      markdownUnits({ view: LineView.ofLines(file, head.bodyStart, file.lineCount), agents, plainText: format === 'text' });
      break;
  }
  return agentPrompts(file, agents, head);
}

/** What a file says about itself before its body: the agent it defines, and where the body starts. */
export interface DocumentHead {
  defaultId: string;
  defaultKind: AgentKind;
  handoffs?: Handoff[];
  /** First line of the body (after the front matter). */
  bodyStart: number;
  /** Last line of a closed front matter block. */
  frontMatterEnd?: number;
  /** The front matter's problems. */
  errors: ParseError[];
}

export function readHead(file: LineIndex, format: PromptFormat, options: ParseOptions): DocumentHead {
  let defaultId = options.defaultAgentId ?? agentIdFromPath(options.uri);
  let defaultKind: AgentKind | undefined;
  let handoffs: Handoff[] | undefined;
  let bodyStart = 0;
  let frontMatterEnd: number | undefined;
  const errors: ParseError[] = [];
  if (format === 'markdown' || format === 'prompty') {
    const fm = splitFrontMatter(file);
    if (fm) {
      errors.push(...fm.errors);
      bodyStart = fm.endLine + 1;
      if (fm.endLine > 0) frontMatterEnd = fm.endLine;
      // VS Code's own `.prompt.md`/`.agent.md` files use `agent:` for the chat mode that runs them,
      // so there only TRUCE's own key names the agent.
      const vscodeChatFile = /\.(prompt|agent|chatmode)\.md$/i.test(options.uri);
      // Prompty's `name` is a display title ("Llama Ask You To Think About It"), so it is not used.
      const declared = fm.data['truce-agent'] ?? (vscodeChatFile || format === 'prompty' ? undefined : fm.data.agent) ?? (/\.(agent|chatmode)\.md$/i.test(options.uri) ? fm.data.name : undefined);
      if (!options.defaultAgentId && typeof declared === 'string' && declared.trim()) defaultId = declared.trim();
      if (typeof fm.data.kind === 'string' && (AGENT_KINDS as string[]).includes(fm.data.kind)) defaultKind = fm.data.kind as AgentKind;
      handoffs = handoffsOf(fm.data.handoffs);
    }
  }
  return { defaultId, defaultKind: defaultKind ?? kindFromName(defaultId), handoffs, bodyStart, frontMatterEnd, errors };
}

/** The agents a walk collected, with their ranges and their units' ids (base ids from `ids` when given). */
export function agentPrompts(file: LineIndex, agents: AgentCollector, head: DocumentHead, ids?: BaseIdCache<RawUnit>): AgentPrompt[] {
  return agents.finish(file.text.length).map((d) => ({
    id: d.id,
    kind: d.kind,
    range: { start: file.positionAt(d.start), end: file.positionAt(Math.max(d.start, d.end)) },
    units: withFormerIds(assignIds(d.units, ids)),
    context: withFormerIds(assignIds(d.context, ids)),
    ...(head.handoffs && d.id === head.defaultId ? { handoffs: head.handoffs } : {}),
  }));
}

/**
 * Sentence units of a block get the id the whole block had as one unit (`formerId`), computed once
 * per block; the block's text is not kept on the unit.
 */
function withFormerIds(units: (RawUnit & { id: string })[]): PolicyUnit[] {
  let lastText: string | undefined;
  let lastPath: string[] | undefined;
  let lastId = '';
  for (const u of units) {
    const whole = u.splitFrom;
    if (whole === undefined) continue;
    delete u.splitFrom;
    if (whole !== lastText || u.sectionPath !== lastPath) {
      lastId = baseUnitId(u.agentId, u.sectionPath, whole);
      lastText = whole;
      lastPath = u.sectionPath;
    }
    (u as PolicyUnit).formerId = lastId;
  }
  return units;
}

/**
 * The last step of every parse, full or incremental (incremental/assemble.ts): units inside a
 * `<DONT_CHANGE>` span are locked, and unpaired tags are reported.
 */
export function applyProtectedSpans(file: LineIndex, agents: AgentPrompt[], errors: ParseError[]): void {
  const protectedSpans = findProtectedSpans(file);
  errors.push(...protectedSpans.errors);
  if (protectedSpans.spans.length) for (const a of agents) lockProtected(a, protectedSpans.spans);
}

/** Units inside a `<DONT_CHANGE>` span are locked like units under a `truce:lock` comment. */
function lockProtected(agent: AgentPrompt, spans: readonly ProtectedSpan[]): void {
  const mark = (u: PolicyUnit) => {
    const span = protectedSpanOver(spans, u.range.start.offset, u.range.end.offset);
    if (!span) return;
    u.locked = true;
    u.protectedSpan = { openLine: span.openLine, closeLine: span.closeLine };
  };
  agent.units.forEach(mark);
  agent.context?.forEach(mark);
}

/** `handoffs:` of a VS Code custom agent: entries with `agent` (and `label`, `prompt`), or bare names. */
function handoffsOf(value: unknown): Handoff[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Handoff[] = [];
  for (const entry of value) {
    if (typeof entry === 'string' && entry.trim()) out.push({ agent: entry.trim() });
    else if (entry && typeof entry === 'object' && typeof (entry as { agent?: unknown }).agent === 'string') {
      const e = entry as { agent: string; label?: unknown; prompt?: unknown };
      out.push({ agent: e.agent.trim(), ...(typeof e.label === 'string' ? { label: e.label } : {}), ...(typeof e.prompt === 'string' ? { prompt: e.prompt } : {}) });
    }
  }
  return out.length ? out : undefined;
}
