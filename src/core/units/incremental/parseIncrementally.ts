/**
 * Re-parsing after an edit without reading the whole file again (issue 12): the lines the edit
 * touched are found by comparing texts, the segments around them (see segments.ts) are read
 * again, and every other segment is reused with its units moved by the edit's line and offset
 * deltas. The result is the document a full parse gives, unit for unit and id for id; whenever
 * that cannot be shown cheaply, this is a full parse.
 *
 * Markdown only. YAML, Prompty and plain text are parsed in full every time, as are edits to the
 * front matter (or that may open one), and edits whose effect spreads beyond a bounded window (an
 * unclosed code fence, an agent heading renamed above a long stretch). A Markdown file without a
 * plain heading to cut at is one segment: it is read whole, as a full parse would.
 */
import { detectFormat } from '../detectFormat';
import { LineIndex } from '../lineIndex';
import { parsePromptDocument, readHead, type DocumentHead, type ParseOptions } from '../parsePromptDocument';
import type { PromptDocument, PromptFormat } from '../types';
import { assembleDocument } from './assemble';
import { changedLines, type ChangedLines } from './changedLines';
import { readWindow, type Segment, type SegmentEntry } from './segments';
import { TEMPLATE_REACH, templateFreshness } from './templateFreshness';

export interface IncrementalParse {
  readonly document: PromptDocument;
  /** How this parse was made: for tests and benchmarks. */
  readonly how: ParseHow;
  /** What the next parse can reuse (absent when it cannot reuse anything). */
  readonly reuse?: MarkdownReuse;
}

export interface ParseHow {
  mode: 'full' | 'incremental' | 'unchanged';
  /** Why a previous parse was not reused. */
  reason?: string;
  /** File lines walked again (the whole body for a full parse). */
  linesRead: number;
}

interface MarkdownReuse {
  text: string;
  file: LineIndex;
  uri: string;
  defaultAgentId?: string;
  head: DocumentHead;
  segments: Segment[];
}

/** Beyond this share of the file a window is not worth it: one full walk is cheaper than several. */
const MAX_WINDOW_SHARE = 0.25;

/**
 * The parse of `text`, reusing `previous` (the parse of an earlier text of the same file) where
 * that gives the same result as `parsePromptDocument(text, options)`.
 */
export function parseIncrementally(text: string, options: ParseOptions, previous?: IncrementalParse): IncrementalParse {
  const format = options.format ?? detectFormat(options.uri, text);
  if (format !== 'markdown') return fullParse(text, options, format, previous ? `${format} is always parsed in full` : undefined);
  const reuse = previous?.reuse;
  if (!previous || !reuse) return fullParse(text, options, format, previous ? 'the previous parse cannot be reused' : undefined);
  if (reuse.uri !== options.uri || reuse.defaultAgentId !== options.defaultAgentId) return fullParse(text, options, format, 'another file or agent');
  try {
    const file = new LineIndex(text);
    const change = changedLines(reuse.file, file);
    if (!change) return { document: previous.document, how: { mode: 'unchanged', linesRead: 0 }, reuse };
    const outcome = reparse(reuse, file, change);
    if (typeof outcome === 'string') return fullParse(text, options, format, outcome);
    const next: MarkdownReuse = { ...reuse, text, file, segments: outcome.segments };
    return { document: assembleDocument(file, options.uri, reuse.head, outcome.segments), how: { mode: 'incremental', linesRead: outcome.linesRead }, reuse: next };
  } catch (error) {
    return fullParse(text, options, format, `incremental parse failed: ${(error as Error).message}`);
  }
}

/** New segments for the edited file, or why they cannot be had without a full walk. */
function reparse(reuse: MarkdownReuse, file: LineIndex, change: ChangedLines): { segments: Segment[]; linesRead: number } | string {
  const { head, segments } = reuse;
  // The front matter decides the agent and where the body starts; a "---" first line, before or
  // after, decides whether there is one.
  const opensFrontMatter = (f: LineIndex) => f.contentText(0).trimEnd() === '---';
  if (opensFrontMatter(reuse.file) || opensFrontMatter(file)) {
    if (head.frontMatterEnd === undefined || change.firstLine <= head.frontMatterEnd) return 'the front matter changed';
  }

  const mapLine = (line: number): number | undefined =>
    line < change.firstLine ? line : line > change.oldLastLine ? line + change.lineDelta : undefined;
  // The segment the change starts in; when its heading line itself changed, the one before too
  // (the line may no longer be a heading, and then belongs to what is above it).
  let first = lastAtOrBefore(segments, change.firstLine);
  if (first > 0 && segments[first].startLine === change.firstLine) first--;
  let end = first + 1;
  while (end < segments.length && segments[end].startLine <= change.oldLastLine) end++;

  // Template spans are found again from a segment start far enough before the change that
  // nothing the change did can reach it (twice the reach: offsets count a "\r\n" as two).
  let sync = first;
  while (sync > 0 && reuse.file.starts[segments[sync].startLine] + 2 * TEMPLATE_REACH > reuse.file.starts[change.firstLine]) sync--;
  const from = segments[first].startLine;
  const budget = Math.max(200, Math.floor(file.lineCount * MAX_WINDOW_SHARE));
  for (;;) {
    const stopLine = end < segments.length ? segments[end].startLine + change.lineDelta : undefined;
    const to = stopLine ?? file.lineCount - 1;
    if (to - from + 1 > budget) return 'the change reaches too far';
    const fresh = templateFreshness(file, segments[sync].startLine, to);
    if (first > 0 && !fresh(from)) return 'a template span now runs into the window';
    const run = readWindow({ file, defaultId: head.defaultId, defaultKind: head.defaultKind, from, to, entry: segments[first].entry, stopLine, fresh });
    if (first > 0 && !run.startIsHeading) return 'the window no longer starts at a heading';
    if (stopLine === undefined) return { segments: [...segments.slice(0, first), ...run.segments], linesRead: to - from + 1 };
    if (run.exit && sameEntry(segments[end].entry, run.exit, mapLine)) {
      const rest: Segment[] = [];
      for (const s of segments.slice(end)) {
        const moved = movedSegment(s, change, mapLine);
        if (!moved) return 'a heading above a later segment changed';
        rest.push(moved);
      }
      return { segments: [...segments.slice(0, first), ...run.segments, ...rest], linesRead: to - from + 1 };
    }
    // The state after the window differs (a heading renamed, an agent started): read on.
    end++;
  }
}

function lastAtOrBefore(segments: readonly Segment[], line: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].startLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function sameEntry(before: SegmentEntry, after: SegmentEntry, mapLine: (line: number) => number | undefined): boolean {
  const a = before.agent;
  const b = after.agent;
  if (a.id !== b.id || a.named !== b.named || a.headingLevel !== b.headingLevel || a.sawContent !== b.sawContent || a.defaultSawContent !== b.defaultSawContent) return false;
  if (before.ancestors.length !== after.ancestors.length) return false;
  return before.ancestors.every((x, i) => mapLine(x.line) === after.ancestors[i].line && x.level === after.ancestors[i].level);
}

/** A segment after the change, where it is now (undefined when a heading above it was touched). */
function movedSegment(segment: Segment, change: ChangedLines, mapLine: (line: number) => number | undefined): Segment | undefined {
  if (change.lineDelta === 0 && change.offsetDelta === 0) return segment;
  const ancestors = [];
  for (const a of segment.entry.ancestors) {
    const line = mapLine(a.line);
    if (line === undefined) return undefined;
    ancestors.push({ line, level: a.level });
  }
  return {
    ...segment,
    startLine: segment.startLine + change.lineDelta,
    entry: { agent: segment.entry.agent, ancestors },
    lineShift: segment.lineShift + change.lineDelta,
    offsetShift: segment.offsetShift + change.offsetDelta,
  };
}

function fullParse(text: string, options: ParseOptions, format: PromptFormat, reason: string | undefined): IncrementalParse {
  const how = (linesRead: number): ParseHow => ({ mode: 'full', ...(reason ? { reason } : {}), linesRead });
  if (format !== 'markdown') {
    const document = parsePromptDocument(text, { ...options, format });
    return { document, how: how(new LineIndex(text).lineCount) };
  }
  try {
    const file = new LineIndex(text);
    const head = readHead(file, format, options);
    const run = readWindow({
      file,
      defaultId: head.defaultId,
      defaultKind: head.defaultKind,
      from: head.bodyStart,
      to: file.lineCount - 1,
      entry: { agent: { id: head.defaultId, named: false, sawContent: false, defaultSawContent: false }, ancestors: [] },
      fresh: templateFreshness(file, head.bodyStart, file.lineCount - 1),
    });
    const document = assembleDocument(file, options.uri, head, run.segments);
    return { document, how: how(file.lineCount - head.bodyStart), reuse: { text, file, uri: options.uri, defaultAgentId: options.defaultAgentId, head, segments: run.segments } };
  } catch {
    // The plain parser reports a parser defect in the document itself; nothing is kept for reuse.
    return { document: parsePromptDocument(text, { ...options, format }), how: how(new LineIndex(text).lineCount) };
  }
}
