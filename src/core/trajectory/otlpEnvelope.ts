/**
 * Reads the span containers trace files come in and flattens them into one span shape:
 *  - OTLP/JSON (`resourceSpans → scopeSpans → spans`, hex ids, typed attribute values, nanosecond
 *    times as strings), as a whole file or one export request per line (the collector's file
 *    exporter);
 *  - OpenTelemetry SDK span JSON (`{spans: [...]}` or a bare list; `context.trace_id`, plain
 *    attribute maps), as written by Python's console exporter and by tools such as any-agent;
 *  - a bare attribute map of a single span (how OpenInference ships its GenAI fixtures).
 */
import type { ImportIssue } from './importResult';
import { jsonParseIssue } from './jsonErrors';
import { decodeKeyValues, plainAttributes, type Attributes } from './otlpAttributes';

export interface SpanEvent {
  name: string;
  timeMs?: number;
  attributes: Attributes;
}

export interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs?: number;
  endMs?: number;
  attributes: Attributes;
  events: SpanEvent[];
  /** Span links: explicit causal references to other spans. */
  links: { traceId: string; spanId: string }[];
  resource: Attributes;
  status?: { code: string; message?: string };
  /** Position in the file, the tie-breaker when times are equal or missing. */
  order: number;
  line?: number;
  path: string;
}

export interface ParsedSpans<S extends { traceId: string } = RawSpan> {
  spans: S[];
  errors: ImportIssue[];
  /** `final_output` recorded next to the spans by some tools, keyed by trace id ('' when unknown). */
  finalOutputs: Map<string, unknown>;
}

/**
 * Where spans go as they are read. `keep` turns each span into what the caller holds on to: called
 * right after the span is read, it lets the caller take what it needs from the span's attributes
 * while they are fresh and drop the rest (attributes are most of a trace file).
 */
interface Collector<S extends { traceId: string }> extends ParsedSpans<S> {
  keep: (span: RawSpan) => S;
}

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
const BIGINT_TAG = 'bigint:';

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

function loc(line: number | undefined, path: string): { line?: number; path?: string } {
  return { ...(line !== undefined ? { line } : {}), ...(path ? { path } : {}) };
}

function collectOtlp<S extends { traceId: string }>(resourceSpans: unknown, line: number | undefined, path: string, out: Collector<S>): void {
  if (!Array.isArray(resourceSpans)) {
    out.errors.push({ message: 'resourceSpans must be a list', ...loc(line, path) });
    return;
  }
  // Plain loops here and below: these run per span, and callbacks made per call are new functions
  // each time, which keeps the engine from settling on optimised code for the loop.
  for (let i = 0; i < resourceSpans.length; i++) {
    const rs: unknown = resourceSpans[i];
    const rsPath = `${path}[${i}]`;
    if (!rs || typeof rs !== 'object') {
      out.errors.push({ message: 'resourceSpans entry must be an object', ...loc(line, rsPath) });
      continue;
    }
    const r = rs as Record<string, unknown>;
    const resource = decodeKeyValues((r.resource as { attributes?: unknown } | undefined)?.attributes, `${rsPath}.resource.attributes`, out.errors, line);
    // `instrumentationLibrarySpans` is the pre-1.0 name of `scopeSpans`; old exporters still write it.
    const scopeKey = Array.isArray(r.scopeSpans) ? 'scopeSpans' : 'instrumentationLibrarySpans';
    const scopes = r[scopeKey];
    if (!Array.isArray(scopes)) {
      out.errors.push({ message: 'resourceSpans entry has no scopeSpans list', ...loc(line, rsPath) });
      continue;
    }
    for (let j = 0; j < scopes.length; j++) {
      const ssPath = `${rsPath}.${scopeKey}[${j}]`;
      const spans = (scopes[j] as { spans?: unknown } | null)?.spans;
      if (!Array.isArray(spans)) {
        out.errors.push({ message: 'scopeSpans entry has no spans list', ...loc(line, ssPath) });
        continue;
      }
      for (let k = 0; k < spans.length; k++) collectOtlpSpan(spans[k], resource, line, `${ssPath}.spans[${k}]`, out);
    }
  }
}

/**
 * A span that ends before it starts (clock skew, a corrupted file) keeps its start: an end time that
 * cannot be right is dropped rather than passed on.
 */
function pushSpan<S extends { traceId: string }>(span: RawSpan, out: Collector<S>): void {
  if (span.startMs !== undefined && span.endMs !== undefined && span.endMs < span.startMs) {
    out.errors.push({ message: `span ${span.spanId} ends before it starts; its end time is ignored`, path: span.path, severity: 'warning', ...(span.line !== undefined ? { line: span.line } : {}) });
    span.endMs = undefined;
  }
  out.spans.push(out.keep(span));
}

function collectOtlpSpan<S extends { traceId: string }>(value: unknown, resource: Attributes, line: number | undefined, path: string, out: Collector<S>): void {
  if (!value || typeof value !== 'object') {
    out.errors.push({ message: 'span must be an object', ...loc(line, path) });
    return;
  }
  const s = value as Record<string, unknown>;
  const traceId = normalizeId(s.traceId, 16);
  const spanId = normalizeId(s.spanId, 8);
  if (!traceId || !spanId) {
    out.errors.push({ message: `span skipped: ${!traceId ? 'traceId' : 'spanId'} is missing or not a hex id`, ...loc(line, `${path}.${!traceId ? 'traceId' : 'spanId'}`) });
    return;
  }
  const parentSpanId = s.parentSpanId === undefined || s.parentSpanId === '' ? undefined : normalizeId(s.parentSpanId, 8);
  const status = s.status as { code?: unknown; message?: unknown } | undefined;
  // Every field is set, absent ones to undefined: this runs for every span, and one object shape
  // (rather than optional fields spread in) keeps it cheap. Fields are read in the order issues are
  // reported: attributes, then events.
  const startMs = anyTimeToMs(s.startTimeUnixNano);
  const endMs = anyTimeToMs(s.endTimeUnixNano);
  const attributes = decodeKeyValues(s.attributes, `${path}.attributes`, out.errors, line);
  const events = Array.isArray(s.events) ? otlpEvents(s.events, path, line, out.errors) : [];
  const links = Array.isArray(s.links) ? s.links.flatMap((l) => linkOf(normalizeId((l as { traceId?: unknown })?.traceId, 16), normalizeId((l as { spanId?: unknown })?.spanId, 8))) : [];
  pushSpan(
    {
      traceId,
      spanId,
      parentSpanId: parentSpanId || undefined,
      name: typeof s.name === 'string' ? s.name : '',
      startMs,
      endMs,
      attributes,
      events,
      links,
      resource,
      status: status && status.code !== undefined ? { code: statusName(status.code), ...(typeof status.message === 'string' && status.message ? { message: status.message } : {}) } : undefined,
      order: out.spans.length,
      line,
      path,
    },
    out,
  );
}

function otlpEvents(list: unknown[], path: string, line: number | undefined, errors: ImportIssue[]): SpanEvent[] {
  const events: SpanEvent[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const ev = (list[i] ?? {}) as Record<string, unknown>;
    const timeMs = nanosToMs(ev.timeUnixNano);
    events[i] = {
      name: typeof ev.name === 'string' ? ev.name : '',
      ...(timeMs !== undefined ? { timeMs } : {}),
      attributes: decodeKeyValues(ev.attributes, `${path}.events[${i}].attributes`, errors, line),
    };
  }
  return events;
}

function collectSdkSpan<S extends { traceId: string }>(value: unknown, line: number | undefined, path: string, out: Collector<S>): void {
  if (!value || typeof value !== 'object') {
    out.errors.push({ message: 'span must be an object', ...loc(line, path) });
    return;
  }
  const s = value as Record<string, unknown>;
  const context = (s.context ?? {}) as Record<string, unknown>;
  const traceId = normalizeId(context.trace_id ?? s.trace_id, 16);
  const spanId = normalizeId(context.span_id ?? s.span_id, 8);
  if (!traceId || !spanId) {
    out.errors.push({ message: `span skipped: ${!traceId ? 'trace id' : 'span id'} is missing or malformed`, ...loc(line, `${path}.context`) });
    return;
  }
  const parent = s.parent as Record<string, unknown> | null | undefined;
  const parentRaw = parent && typeof parent === 'object' ? parent.span_id : s.parent_id;
  const parentSpanId = parentRaw === null || parentRaw === undefined ? undefined : normalizeId(parentRaw, 8);
  const status = s.status as { status_code?: unknown; description?: unknown } | undefined;
  const resource = plainAttributes((s.resource as { attributes?: unknown } | undefined)?.attributes);
  pushSpan({
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: typeof s.name === 'string' ? s.name : '',
    ...timeField('startMs', s.start_time),
    ...timeField('endMs', s.end_time),
    attributes: plainAttributes(s.attributes),
    events: Array.isArray(s.events)
      ? s.events.map((e) => {
          const ev = (e ?? {}) as Record<string, unknown>;
          const timeMs = anyTimeToMs(ev.timestamp);
          return { name: typeof ev.name === 'string' ? ev.name : '', ...(timeMs !== undefined ? { timeMs } : {}), attributes: plainAttributes(ev.attributes) };
        })
      : [],
    links: Array.isArray(s.links)
      ? s.links.flatMap((l) => {
          const c = ((l as { context?: unknown })?.context ?? {}) as Record<string, unknown>;
          return linkOf(normalizeId(c.trace_id, 16), normalizeId(c.span_id, 8));
        })
      : [],
    resource,
    ...(status && status.status_code !== undefined ? { status: { code: statusName(status.status_code), ...(typeof status.description === 'string' && status.description ? { message: status.description } : {}) } } : {}),
    order: out.spans.length,
    ...(line !== undefined ? { line } : {}),
    path,
  }, out);
}

function collectFlatAttributes<S extends { traceId: string }>(obj: Record<string, unknown>, line: number | undefined, path: string, out: Collector<S>): void {
  const index = out.spans.length;
  out.spans.push(out.keep({
    // A bare attribute map has no ids; it is one span of its own one-span trace.
    traceId: `attributes-${index}`,
    spanId: `span-${index}`,
    name: typeof obj['gen_ai.operation.name'] === 'string' ? (obj['gen_ai.operation.name'] as string) : 'span',
    attributes: plainAttributes(obj),
    events: [],
    links: [],
    resource: {},
    order: index,
    ...(line !== undefined ? { line } : {}),
    path,
  }));
}

function linkOf(traceId: string | undefined, spanId: string | undefined): { traceId: string; spanId: string }[] {
  return traceId && spanId ? [{ traceId, spanId }] : [];
}

function timeField(key: 'startMs' | 'endMs', raw: unknown): { startMs?: number; endMs?: number } {
  const ms = anyTimeToMs(raw);
  return ms === undefined ? {} : { [key]: ms };
}

/** Nanoseconds since the epoch (string, number or tagged long integer) to fractional milliseconds. */
export function nanosToMs(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw > 0 ? raw / 1e6 : undefined;
  if (typeof raw !== 'string') return undefined;
  const digits = raw.startsWith(BIGINT_TAG) ? raw.slice(BIGINT_TAG.length) : raw;
  if (!/^\d+$/.test(digits) || /^0+$/.test(digits)) return undefined;
  // Whole microseconds through BigInt, so the 19-digit value is never rounded before dividing.
  return Number(BigInt(digits) / 1000n) / 1000;
}

/** SDK JSON uses either nanosecond integers or ISO-8601 strings, depending on the exporter. */
function anyTimeToMs(raw: unknown): number | undefined {
  const nanos = nanosToMs(raw);
  if (nanos !== undefined) return nanos;
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/**
 * Trace and span ids to lowercase hex of their fixed width. Accepts hex (OTLP/JSON; `0x`-prefixed
 * in Python's console exporter), base64 (the generic protobuf JSON mapping some exporters use) and
 * decimal integers (SDK JSON that wrote the id as a number).
 */
export function normalizeId(raw: unknown, bytes: 8 | 16): string | undefined {
  const width = bytes * 2;
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? BigInt(raw).toString(16).padStart(width, '0') : undefined;
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (raw.startsWith(BIGINT_TAG)) {
    const hex = BigInt(raw.slice(BIGINT_TAG.length)).toString(16);
    return hex.length <= width ? hex.padStart(width, '0') : undefined;
  }
  const hexText = raw.startsWith('0x') || raw.startsWith('0X') ? raw.slice(2) : raw;
  if (/^[0-9a-fA-F]+$/.test(hexText) && hexText.length === width) return hexText.toLowerCase();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
    const decoded = Buffer.from(raw, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  if (/^[0-9a-fA-F]+$/.test(hexText) && hexText.length < width) return hexText.toLowerCase().padStart(width, '0');
  return undefined;
}

const STATUS_CODES = ['unset', 'ok', 'error'];

function statusName(code: unknown): string {
  if (typeof code === 'number') return STATUS_CODES[code] ?? String(code);
  const text = String(code).toLowerCase();
  return text.replace(/^status_code_/, '');
}
