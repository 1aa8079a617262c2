/**
 * The OTLP/JSON shape of an ExportTraceServiceRequest, the subset TRUCE reads. Protobuf requests
 * are decoded into this shape (ids as lowercase hex, 64-bit integers and nanosecond times as
 * decimal strings, bytes as base64), so both encodings reach the trajectory importer the same way.
 */

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** One member of the AnyValue oneof, or `{}` when none is set. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  /** A finite double; NaN and the infinities are strings, as in the protobuf JSON mapping. */
  | { doubleValue: number | string }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | { bytesValue: string }
  | Record<string, never>;

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpStatus {
  /** 0 unset, 1 ok, 2 error. */
  code: number;
  message: string;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Absent for root spans. */
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  status?: OtlpStatus;
}

export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpScopeSpans {
  scope?: OtlpScope;
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}
