/**
 * The span readers of each container format (see otlpEnvelope.ts): OTLP/JSON resource spans with
 * typed attribute values and nanosecond strings, OpenTelemetry SDK span JSON with plain attribute
 * maps, a bare attribute map of one span; and the ids and times they decode.
 */
import type { ImportIssue } from './importResult';
import { decodeKeyValues, plainAttributes, type Attributes } from './otlpAttributes';
import type { Collector, RawSpan, SpanEvent } from './otlpSpan';

/** Long integers that protectLongIntegers (otlpEnvelope.ts) turned into tagged strings. */
export const BIGINT_TAG = 'bigint:';


export function loc(line: number | undefined, path: string): { line?: number; path?: string } {
  return { ...(line !== undefined ? { line } : {}), ...(path ? { path } : {}) };
}

export function collectOtlp<S extends { traceId: string }>(resourceSpans: unknown, line: number | undefined, path: string, out: Collector<S>): void {
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

export function collectSdkSpan<S extends { traceId: string }>(value: unknown, line: number | undefined, path: string, out: Collector<S>): void {
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

export function collectFlatAttributes<S extends { traceId: string }>(obj: Record<string, unknown>, line: number | undefined, path: string, out: Collector<S>): void {
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
