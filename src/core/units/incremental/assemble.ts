/**
 * Turns segments back into a document: their agent switches are replayed in order on a fresh
 * collector and their units appended to the right agents, moved to where their lines are now, so
 * the document's own finishing steps (order, agent ranges, ids) run exactly as after a full walk.
 */
import { AgentCollector, type AgentDraft } from '../agentCollector';
import type { LineIndex } from '../lineIndex';
import { agentPrompts, applyProtectedSpans, type DocumentHead } from '../parsePromptDocument';
import type { Position, PromptDocument, RawUnit } from '../types';
import type { Segment } from './segments';

/**
 * Base ids by stored unit: a unit's base id depends on its agent, section and text, none of which
 * moving it changes, so each is worked out once for as long as its segment is reused.
 */
const baseIds = new WeakMap<RawUnit, string>();

export function assembleDocument(file: LineIndex, uri: string, head: DocumentHead, segments: readonly Segment[]): PromptDocument {
  /** The stored unit each copy was made from. */
  const origin = new Map<RawUnit, RawUnit>();
  const moved = (unit: RawUnit, lines: number, offset: number): RawUnit => {
    const copy = movedCopy(unit, lines, offset);
    origin.set(copy, unit);
    return copy;
  };
  const agents = new AgentCollector(head.defaultId, head.defaultKind, file.text.length);
  const fallback = agents.current();
  for (const segment of segments) {
    const entry = agents.current();
    const started: AgentDraft[] = [];
    const shift = segment.offsetShift;
    for (const event of segment.events) {
      if (event.type === 'start') started.push(agents.startAgent(event.id, event.offset + shift, event.level, event.kind));
      else agents.endHeadingAgent(event.offset + shift);
    }
    for (const group of segment.groups) {
      const draft = group.draft === 'entry' ? entry : group.draft === 'fallback' ? fallback : started[group.draft];
      for (const unit of group.units) draft.units.push(moved(unit, segment.lineShift, shift));
      for (const unit of group.context) draft.context.push(moved(unit, segment.lineShift, shift));
    }
  }
  // A Markdown body has no errors of its own: only the front matter's, then unpaired protect tags.
  const ids = { get: (copy: RawUnit) => baseIds.get(origin.get(copy)!), set: (copy: RawUnit, base: string) => baseIds.set(origin.get(copy)!, base) };
  const prompts = agentPrompts(file, agents, head, ids);
  const errors = [...head.errors];
  applyProtectedSpans(file, prompts, errors);
  return { uri, format: 'markdown', agents: prompts, errors };
}

/**
 * A copy of a stored unit, `lines`/`offset` further down the file, for assignIds to write its id
 * onto: its fields in the stored order, then the id, as on a unit of a full parse. Copied field by
 * field on purpose: V8 gives a spread copy (`{ ...unit }`) a shape on which every later property
 * write took the slow path, and that cost more than the rest of an incremental parse together.
 */
function movedCopy(unit: RawUnit, lines: number, offset: number): RawUnit {
  const copy: Record<string, unknown> = {};
  for (const key in unit) copy[key] = unit[key as keyof RawUnit];
  copy.id = '';
  if (lines !== 0 || offset !== 0) {
    copy.range = { start: movedPosition(unit.range.start, lines, offset), end: movedPosition(unit.range.end, lines, offset) };
    copy.block = { start: unit.block.start + offset, end: unit.block.end + offset };
  }
  return copy as unknown as RawUnit;
}

function movedPosition(p: Position, lines: number, offset: number): Position {
  return { line: p.line + lines, character: p.character, offset: p.offset + offset };
}
