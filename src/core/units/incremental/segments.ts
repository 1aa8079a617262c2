/**
 * A Markdown body cut into segments at headings where the walk of markdownUnits starts afresh, so
 * that one segment can be read again on its own and give exactly what the walk of the whole body
 * gives for it.
 *
 * A segment starts at a heading that sits at the top level, is written `#…` in column 0 (one
 * line, whatever follows it), holds no template, XML or table syntax, and has no XML element open
 * around it. What the walk carries across such a heading is small: the headings above it (all
 * such plain lines too, or the heading is not a cut), the agent being read (its id, whether it
 * was named by a heading and at what level, whether it and the file's default agent have had
 * content yet), and nothing else: list frames, lead-ins and bold pseudo-headings end at a
 * heading. A segment is read again by walking a view of its ancestor heading lines followed by its
 * own lines (LineView.ofFileLines), with a collector that starts at its agent.
 */
import { AgentCollector, type AgentDraft } from '../agentCollector';
import type { LineIndex } from '../lineIndex';
import { LineView } from '../lineView';
import { markdownUnits } from '../markdownUnits';
import type { AgentKind, RawUnit } from '../types';

/** The agent being read when a segment starts. */
export interface AgentState {
  id: string;
  /** Named by a heading (or else the file's default agent). */
  named: boolean;
  headingLevel?: number;
  sawContent: boolean;
  /**
   * Whether the file's default agent has had content: a heading that ends a named agent's part
   * returns to it without resetting that, so its first paragraph may be far above.
   */
  defaultSawContent: boolean;
}

/** A heading above a segment: its file line and level. */
export interface Ancestor {
  line: number;
  level: number;
}

export interface SegmentEntry {
  agent: AgentState;
  ancestors: Ancestor[];
}

/** An agent switch inside a segment, replayed on the document's collector. */
export type AgentEvent = { type: 'start'; id: string; offset: number; level?: number; kind?: AgentKind } | { type: 'end'; offset: number };

/**
 * Units of one agent draft in a segment. `draft` says which: the one active when the segment
 * starts, the file's default agent, or the one the segment's n-th `start` event started.
 */
export interface UnitGroup {
  draft: 'entry' | 'fallback' | number;
  units: RawUnit[];
  context: RawUnit[];
}

export interface Segment {
  /** File line where the segment starts: its heading, or the first body line. */
  startLine: number;
  entry: SegmentEntry;
  events: AgentEvent[];
  groups: UnitGroup[];
  /** How far the stored units, events and offsets have moved since they were read. */
  lineShift: number;
  offsetShift: number;
}

export interface WindowRun {
  segments: Segment[];
  /** The first window line was read as a heading (when it had to be). */
  startIsHeading: boolean;
  /** The walk's state on reaching `stopLine`, when it was reached as a heading that can start a segment. */
  exit?: SegmentEntry;
}

export interface WindowRequest {
  file: LineIndex;
  defaultId: string;
  defaultKind: AgentKind;
  /** File lines [from, to] are read. */
  from: number;
  to: number;
  entry: SegmentEntry;
  /** A heading line that ends the window: it is read only to see the state there. */
  stopLine?: number;
  /** Whether no template span runs across the start of a file line (see templateFreshness.ts). */
  fresh: (line: number) => boolean;
}

/** A line that can start a segment or stand above one: `#…` in column 0, no template/XML/table syntax. */
export function isPlainHeadingLine(text: string): boolean {
  return /^#{1,6}(?:[ \t]|$)/.test(text) && !/[{}<>|\uE000\uE001]/.test(text);
}

interface Frame {
  line: number;
  level: number;
  plain: boolean;
}

/** Records the agent switches of a walk, so a segment can replay them. */
class RecordingCollector extends AgentCollector {
  recording = false;
  onStart?: (draft: AgentDraft, event: AgentEvent) => void;
  onEnd?: (event: AgentEvent) => void;

  override startAgent(id: string, offset: number, headingLevel?: number, kind?: AgentKind): AgentDraft {
    const draft = super.startAgent(id, offset, headingLevel, kind);
    if (this.recording) this.onStart?.(draft, { type: 'start', id, offset, level: headingLevel, kind });
    return draft;
  }

  override endHeadingAgent(offset: number): void {
    super.endHeadingAgent(offset);
    if (this.recording) this.onEnd?.({ type: 'end', offset });
  }
}

/** Walks file lines [from, to] from the given state and cuts what it reads into segments. */
export function readWindow(req: WindowRequest): WindowRun {
  const { file, entry } = req;
  const fileLines: number[] = entry.ancestors.map((a) => a.line);
  for (let l = req.from; l <= req.to; l++) fileLines.push(l);
  const view = LineView.ofFileLines(file, fileLines);
  const collector = new RecordingCollector(req.defaultId, req.defaultKind, file.text.length);
  const fallback = collector.current();
  fallback.sawContent = entry.agent.defaultSawContent;
  if (entry.agent.named) collector.startAgent(entry.agent.id, 0, entry.agent.headingLevel);
  collector.current().sawContent = entry.agent.sawContent;

  const starts: { line: number; entry: SegmentEntry; entryDraft: AgentDraft; started: AgentDraft[]; events: AgentEvent[] }[] = [
    { line: req.from, entry, entryDraft: collector.current(), started: [], events: [] },
  ];
  const drafts = new Set<AgentDraft>([fallback, collector.current()]);
  const stack: Frame[] = [];
  const ancestorCount = entry.ancestors.length;
  let startIsHeading = false;
  let exit: SegmentEntry | undefined;
  let stopped = false;
  let replayed = 0;

  const agentState = (): AgentState => {
    const d = collector.current();
    return { id: d.id, named: d !== fallback, headingLevel: d.headingLevel, sawContent: d.sawContent, defaultSawContent: fallback.sawContent };
  };
  /** The state at a heading line, when a segment can start there. */
  const entryAt = (line: number, level: number, nested: boolean, xmlDepth: number): SegmentEntry | undefined => {
    // Headings this one closes are left out: reading them again would change nothing.
    const above = stack.filter((f) => f.level < level);
    if (nested || xmlDepth > 0 || !above.every((f) => f.plain) || !req.fresh(line)) return undefined;
    if (!isPlainHeadingLine(file.contentText(line))) return undefined;
    return { agent: agentState(), ancestors: above.map((f) => ({ line: f.line, level: f.level })) };
  };

  collector.onStart = (draft, event) => {
    // An agent heading empties the heading stack (it is not a section of its own).
    stack.length = 0;
    if (stopped) return;
    drafts.add(draft);
    const current = starts[starts.length - 1];
    current.events.push(event);
    current.started.push(draft);
  };
  collector.onEnd = (event) => {
    if (!stopped) starts[starts.length - 1].events.push(event);
  };
  collector.recording = true;

  markdownUnits({
    view,
    agents: collector,
    observer: {
      heading(viewLine, level, nested, xmlDepth) {
        if (stopped) return;
        const line = fileLines[viewLine];
        if (viewLine < ancestorCount) {
          if (viewLine === replayed && !nested) replayed++;
        } else if (viewLine === ancestorCount && req.from === line && ancestorCount === replayed) {
          // The window's own first heading: the segment it starts is already open.
          startIsHeading = !nested;
        } else if (line === req.stopLine) {
          exit = entryAt(line, level, nested, xmlDepth);
          stopped = true;
          return;
        } else {
          const at = entryAt(line, level, nested, xmlDepth);
          if (at) starts.push({ line, entry: at, entryDraft: collector.current(), started: [], events: [] });
        }
        while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
        stack.push({ line, level, plain: !nested && isPlainHeadingLine(file.contentText(line)) });
      },
    },
  });
  if (replayed !== ancestorCount) throw new Error('readWindow: an ancestor heading was not read as one');

  const segments: Segment[] = starts.map((s) => ({ startLine: s.line, entry: s.entry, events: s.events, groups: [], lineShift: 0, offsetShift: 0 }));
  const groupOf = (segment: number, draft: AgentDraft): UnitGroup => {
    const s = starts[segment];
    const key: UnitGroup['draft'] = draft === s.entryDraft ? 'entry' : s.started.includes(draft) ? s.started.indexOf(draft) : draft === fallback ? 'fallback' : -1;
    if (key === -1) throw new Error('readWindow: a unit belongs to no agent of its segment');
    const groups = segments[segment].groups;
    let group = groups.find((g) => g.draft === key);
    if (!group) groups.push((group = { draft: key, units: [], context: [] }));
    return group;
  };
  const segmentOf = (line: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid].line <= line) lo = mid;
      else hi = mid - 1;
    }
    if (line < req.from || line > req.to || (req.stopLine !== undefined && line >= req.stopLine)) throw new Error('readWindow: a unit outside the window');
    return lo;
  };
  for (const draft of drafts) {
    for (const list of ['units', 'context'] as const) {
      let segment = -1;
      let group: UnitGroup | undefined;
      for (const unit of draft[list]) {
        const s = segmentOf(unit.range.start.line);
        if (s !== segment || !group) {
          segment = s;
          group = groupOf(s, draft);
        }
        group[list].push(unit);
      }
    }
  }
  return { segments, startIsHeading, exit };
}
