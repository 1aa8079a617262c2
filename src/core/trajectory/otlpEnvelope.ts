/**
 * Reads the span containers trace files come in and flattens them into one span shape:
 *  - OTLP/JSON (`resourceSpans → scopeSpans → spans`, hex ids, typed attribute values, nanosecond
 *    times as strings), as a whole file or one export request per line (the collector's file
 *    exporter);
 *  - OpenTelemetry SDK span JSON (`{spans: [...]}` or a bare list; `context.trace_id`, plain
 *    attribute maps), as written by Python's console exporter and by tools such as any-agent;
 *  - a bare attribute map of a single span (how OpenInference ships its GenAI fixtures).
 * This file finds the documents in the text and tells their kind; the reader of each kind is in
 * otlpSpanReaders.ts, the span shape in otlpSpan.ts.
 */
import { jsonParseIssue } from './jsonErrors';
import { lineBatches, type ReadOptions } from './jsonl';
import type { Collector, ParsedSpans, RawSpan } from './otlpSpan';
import { BIGINT_TAG, collectFlatAttributes, collectOtlp, collectSdkSpan, loc } from './otlpSpanReaders';

export type { ParsedSpans, RawSpan, SpanEvent } from './otlpSpan';

function collector<S extends { traceId: string }>(keep: (span: RawSpan) => S): Collector<S> {
  return { spans: [], errors: [], finalOutputs: new Map(), keep };
}

function result<S extends { traceId: string }>(out: Collector<S>): ParsedSpans<S> {
  return { spans: out.spans, errors: out.errors, finalOutputs: out.finalOutputs };
}

/**
 * Python SDK span JSON writes 128-bit trace ids, 64-bit span ids and nanosecond times as bare JSON
 * numbers, which `JSON.parse` rounds to 53 bits (two distinct span ids can collide). Before parsing,
 * long integers under those keys are turned into tagged strings. Inside JSON strings the quotes
 * around such keys are escaped, so only real keys match.
 */
const LONG_INTEGER_FIELDS = /("(?:trace_id|span_id|parent_id|start_time|end_time|timestamp)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

const LONG_INTEGER_NAMES = ['trace_id', 'span_id', 'parent_id', 'start_time', 'end_time', 'timestamp'];
const LONG_INTEGER_KEYS = LONG_INTEGER_NAMES.map((name) => `"${name}"`);

export function protectLongIntegers(text: string): string {
  // OTLP/JSON (camelCase keys, ids as strings) has none of these keys; a plain substring search for
  // them is several times cheaper than running the pattern over a large export.
  if (!LONG_INTEGER_KEYS.some((key) => text.includes(key))) return text;
  return text.replace(LONG_INTEGER_FIELDS, (_m, head: string, digits: string) => `${head}"${BIGINT_TAG}${digits}"`);
}

export function parseOtlpText(text: string): ParsedSpans;
export function parseOtlpText<S extends { traceId: string }>(text: string, keep: (span: RawSpan) => S): ParsedSpans<S>;
export function parseOtlpText(text: string, keep: (span: RawSpan) => { traceId: string } = (span) => span): ParsedSpans<{ traceId: string }> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') return { spans: [], errors: [{ message: 'the file is empty' }], finalOutputs: new Map() };
  return result(parseUnprotected(source, collector(keep)) ?? parseDocuments(protectLongIntegers(source), collector(keep)));
}

/**
 * The common case without the text scan of protectLongIntegers (six searches through the whole file,
 * as long as parsing it): parse as is, then look for what protection would have changed. In valid
 * JSON the pattern only matches a key ending in one of those names whose value is an integer of 16
 * or more digits, which parses to a number of magnitude 10^15 or more; when the parsed documents have
 * no such value, protection would have changed nothing (a match in a duplicate key that a later one
 * overrides leaves the same result). Anything else — such a value, a line that does not parse (its
 * error positions are those of the protected text), one broken pretty-printed document — returns
 * undefined, and the caller takes the protected path, whose result is the reference.
 */
function parseUnprotected<S extends { traceId: string }>(source: string, out: Collector<S>): Collector<S> | undefined {
  // When the first line with text is a whole JSON document and more text follows, the file cannot be
  // one document: go straight to lines. Parsing it whole would fail after its first line, and the
  // engine builds that error with the line positions of the entire file.
  const first = firstTextLine(source);
  if (first !== undefined) {
    let firstDoc: unknown;
    try {
      firstDoc = JSON.parse(first);
    } catch {
      firstDoc = NOT_PARSED;
    }
    if (firstDoc !== NOT_PARSED) return parseLinesUnprotected(source, out, firstDoc);
  }
  let whole: unknown;
  try {
    whole = JSON.parse(source);
  } catch {
    return parseLinesUnprotected(source, out, NOT_PARSED);
  }
  if (mayHoldLongIntegers(whole)) return undefined;
  collectDocument(whole, undefined, '', out);
  return out;
}

const NOT_PARSED = Symbol('not parsed');

/** The first line with text (without a trailing '\r'), if another line with text follows it. */
function firstTextLine(source: string): string | undefined {
  for (let start = 0; ; ) {
    const end = source.indexOf('\n', start);
    if (end < 0) return undefined;
    const line = source.slice(start, end);
    if (line.trim() !== '') return /\S/.test(source.slice(end + 1)) ? (line.endsWith('\r') ? line.slice(0, -1) : line) : undefined;
    start = end + 1;
  }
}

/** `firstDoc`: the first line with text, already parsed (or NOT_PARSED). */
function parseLinesUnprotected<S extends { traceId: string }>(source: string, out: Collector<S>, firstDoc: unknown): Collector<S> | undefined {
  const lines = source.split('\n');
  if (!isOneDocumentPerLine(lines)) return undefined;
  let pending = firstDoc;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineText.trim() === '') continue;
    let doc: unknown = pending;
    pending = NOT_PARSED;
    if (doc === NOT_PARSED) {
      try {
        doc = JSON.parse(lineText);
      } catch {
        return undefined;
      }
    }
    if (mayHoldLongIntegers(doc)) return undefined;
    // Spans are collected line by line, so each parsed line can be dropped as soon as it is read.
    collectDocument(doc, i + 1, '', out);
  }
  return out;
}

/**
 * Whether a file that is not one JSON document should be read as one document per line (OTLP file
 * exporter output) rather than reported as one broken pretty-printed document, where per-line errors
 * would only be noise.
 */
function isOneDocumentPerLine(lines: readonly string[]): boolean {
  const firstLine = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  return !(lines.filter((l) => l.trim() !== '').length <= 1 || firstLine === '{' || firstLine === '[');
}

/** Whether protectLongIntegers could have changed how `doc` parsed (see parseUnprotected). */
function mayHoldLongIntegers(doc: unknown): boolean {
  // An explicit stack: a parsed document can be nested deeper than the call stack allows.
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'number') {
        if ((v >= 1e15 || v <= -1e15) && LONG_INTEGER_NAMES.some((name) => key.endsWith(name))) return true;
      } else if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return false;
}

/**
 * A trace file read one line at a time, for the collector's file exporter (one export request per
 * line): the spans parseOtlpText would find in the whole text, without holding that text. The whole
 * text has to fit in one string (about 512 MB in V8), which long recorded sessions outgrow; here
 * only one line at a time is held. (It is not faster: reading whole and streaming cost the same.)
 *
 * Returns undefined whenever parseOtlpText would not read the file as it stands line by line: a line
 * that does not parse, a long integer that protection would have changed (see parseUnprotected), or
 * fewer than two lines with text (such a file is read as one document, or reported empty). The
 * caller then reads the file whole, so the result is always the one parseOtlpText gives. The line
 * rules agree with parseOtlpText's: numbers count every line, a trailing '\r' and a leading BOM are
 * dropped, and a line that only one of them takes for blank (Unicode spaces) does not parse as JSON.
 */
export async function parseOtlpFileByLine<S extends { traceId: string }>(path: string, keep: (span: RawSpan) => S, options: ReadOptions = {}): Promise<ParsedSpans<S> | undefined> {
  const out = collector(keep);
  let lines = 0;
  for await (const batch of lineBatches(path, options)) {
    for (const { text, line } of batch) {
      lines += 1;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return undefined;
      }
      if (mayHoldLongIntegers(doc)) return undefined;
      collectDocument(doc, line, '', out);
    }
  }
  return lines >= 2 ? result(out) : undefined;
}

/** Parses text already passed through protectLongIntegers. */
function parseDocuments<S extends { traceId: string }>(source: string, out: Collector<S>): Collector<S> {
  let whole: unknown;
  let wholeError: Error | undefined;
  try {
    whole = JSON.parse(source);
  } catch (error) {
    wholeError = error as Error;
  }
  if (wholeError === undefined) {
    collectDocument(whole, undefined, '', out);
    return out;
  }
  const lines = source.split('\n');
  if (!isOneDocumentPerLine(lines)) {
    out.errors.push(jsonParseIssue(source, wholeError));
    return out;
  }
  lines.forEach((raw, i) => {
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineText.trim() === '') return;
    try {
      collectDocument(JSON.parse(lineText), i + 1, '', out);
    } catch (error) {
      out.errors.push(jsonParseIssue(lineText, error, i + 1));
    }
  });
  return out;
}

function collectDocument<S extends { traceId: string }>(doc: unknown, line: number | undefined, path: string, out: Collector<S>): void {
  const at = (p: string): string => (path ? `${path}${p.startsWith('[') ? '' : '.'}${p}` : p);
  if (Array.isArray(doc)) {
    // A list of export requests or a list of SDK spans.
    doc.forEach((item, i) => collectDocument(item, line, at(`[${i}]`), out));
    return;
  }
  if (!doc || typeof doc !== 'object') {
    out.errors.push({ message: 'expected a JSON object with resourceSpans or spans', ...loc(line, path) });
    return;
  }
  const obj = doc as Record<string, unknown>;
  if ('resourceSpans' in obj) {
    collectOtlp(obj.resourceSpans, line, at('resourceSpans'), out);
    return;
  }
  if ('spans' in obj && Array.isArray(obj.spans)) {
    const before = out.spans.length;
    obj.spans.forEach((span, i) => collectSdkSpan(span, line, at(`spans[${i}]`), out));
    if ('final_output' in obj) {
      const traceIds = new Set(out.spans.slice(before).map((s) => s.traceId));
      for (const traceId of traceIds.size > 0 ? traceIds : new Set([''])) out.finalOutputs.set(traceId, obj.final_output);
    }
    return;
  }
  if ('context' in obj && ('attributes' in obj || 'name' in obj)) {
    collectSdkSpan(obj, line, path, out);
    return;
  }
  if (Object.keys(obj).some(isConventionKey)) {
    collectFlatAttributes(obj, line, path, out);
    return;
  }
  out.errors.push({ message: 'not an OTLP trace: expected resourceSpans, spans, or GenAI span attributes', ...loc(line, path) });
}

function isConventionKey(key: string): boolean {
  return key.startsWith('gen_ai.') || key.startsWith('llm.') || key.startsWith('openinference.') || key.startsWith('traceloop.');
}
