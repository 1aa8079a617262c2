/**
 * Collects agents and their units while a file is walked. A file starts with one default agent;
 * `# Agent: x` headings, YAML agent keys and Prompty role blocks switch to others.
 */
import type { AgentKind, RawUnit } from './types';

export interface AgentDraft {
  id: string;
  kind: AgentKind;
  /** Offsets of the agent's part of the file (several parts when it reappears). */
  start: number;
  end: number;
  units: RawUnit[];
  /** Role statements and descriptive text, kept apart from the rules. */
  context: RawUnit[];
  /** Whether a content block has been seen, so the first paragraph can be read as the role. */
  sawContent: boolean;
  /** Defined by a heading of this level. */
  headingLevel?: number;
  explicit: boolean;
}

const byStart = (a: RawUnit, b: RawUnit) => a.range.start.offset - b.range.start.offset;

/** Already sorted by start (as a walk almost always emits them): the stable sort would keep it as is. */
function inFileOrder(units: RawUnit[]): boolean {
  for (let k = 1; k < units.length; k++) if (units[k - 1].range.start.offset > units[k].range.start.offset) return false;
  return true;
}

export function kindFromName(name: string): AgentKind {
  if (/aggregat|moderator|synthes/i.test(name)) return 'aggregator';
  if (/judge|critic|evaluat|verifier|grader|scorer/i.test(name)) return 'judge';
  return 'role';
}

export class AgentCollector {
  private readonly drafts: AgentDraft[] = [];
  /** The agents started by name, by id (a file may define hundreds: no search per heading). */
  private readonly named = new Map<string, AgentDraft>();
  private active: AgentDraft;
  private readonly fallback: AgentDraft;

  constructor(defaultId: string, defaultKind: AgentKind, fileLength: number) {
    this.fallback = { id: defaultId, kind: defaultKind, start: 0, end: fileLength, units: [], context: [], sawContent: false, explicit: false };
    this.drafts.push(this.fallback);
    this.active = this.fallback;
  }

  current(): AgentDraft {
    return this.active;
  }

  /** Switches to agent `id` (reusing it when it appeared before) from `offset` on. */
  startAgent(id: string, offset: number, headingLevel?: number, kind?: AgentKind): AgentDraft {
    this.closeActive(offset);
    let draft = this.named.get(id);
    if (!draft) {
      draft = { id, kind: kind ?? kindFromName(id), start: offset, end: offset, units: [], context: [], sawContent: false, explicit: true };
      this.drafts.push(draft);
      this.named.set(id, draft);
    }
    draft.headingLevel = headingLevel;
    draft.sawContent = false;
    this.active = draft;
    return draft;
  }

  headingLevel(): number | undefined {
    return this.active.headingLevel;
  }

  /** A heading above the agent heading's level returns the rest of the file to the default agent. */
  endHeadingAgent(offset: number): void {
    this.closeActive(offset);
    this.active = this.fallback;
  }

  /** Marks the end of the active agent's part (for YAML/Prompty, whose parts have known ends). */
  setEnd(offset: number): void {
    this.active.end = Math.max(this.active.end, offset);
  }

  /** Records a content block; returns true when it is the agent's first. */
  noteContent(): boolean {
    const first = !this.active.sawContent;
    this.active.sawContent = true;
    return first;
  }

  private closeActive(offset: number): void {
    if (this.active !== this.fallback) this.active.end = Math.max(this.active.end, offset);
  }

  /** Agents in file order; the default agent only when it holds units or is the only one. */
  finish(fileLength: number): AgentDraft[] {
    if (this.active !== this.fallback) this.active.end = Math.max(this.active.end, fileLength);
    // Readers may emit a block's units after the lines inside it (a lead-in after its commands):
    // units are kept in file order (a stable sort keeps equal starts as emitted).
    for (const d of this.drafts) {
      if (!inFileOrder(d.units)) d.units.sort(byStart);
      if (!inFileOrder(d.context)) d.context.sort(byStart);
    }
    const explicit = this.drafts.filter((d) => d !== this.fallback);
    if (explicit.length > 0) {
      this.fallback.end = explicit[0].start;
      if (this.fallback.units.length === 0) return explicit;
    }
    return this.drafts;
  }
}
