/** Builds OTLP/JSON export requests the way collectors write them (typed values, nanosecond strings). */

export type Plain = string | number | boolean | Plain[] | { [key: string]: Plain };

/** Encodes a plain value as an OTLP `AnyValue`; integers travel as strings, as in OTLP/JSON. */
export function anyValue(value: Plain): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) } };
}

export function keyValues(attrs: Record<string, Plain>): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export interface SpanSpec {
  id: string;
  parent?: string;
  name?: string;
  /** Milliseconds after the trace start. */
  start: number;
  end: number;
  attrs?: Record<string, Plain>;
  events?: { name: string; attrs: Record<string, Plain> }[];
  links?: string[];
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const BASE_NANOS = 1_700_000_000_000_000_000n;

/** Span ids are given as short names and padded into 16 hex digits. */
export function spanId(name: string): string {
  return Buffer.from(name).toString('hex').padStart(16, '0').slice(-16);
}

export function otlpRequest(spans: SpanSpec[], serviceName = 'mas-service', traceId = TRACE_ID): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': serviceName }) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId,
              spanId: spanId(s.id),
              ...(s.parent ? { parentSpanId: spanId(s.parent) } : { parentSpanId: '' }),
              name: s.name ?? s.id,
              kind: 1,
              startTimeUnixNano: String(BASE_NANOS + BigInt(s.start) * 1_000_000n),
              endTimeUnixNano: String(BASE_NANOS + BigInt(s.end) * 1_000_000n),
              attributes: keyValues(s.attrs ?? {}),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(BASE_NANOS + BigInt(s.start) * 1_000_000n), attributes: keyValues(e.attrs) })),
              links: (s.links ?? []).map((l) => ({ traceId, spanId: spanId(l) })),
              status: {},
            })),
          },
        ],
      },
    ],
  };
}

export const BASE_MS = Number(BASE_NANOS / 1_000_000n);
