/**
 * A small protobuf encoder for OTLP trace export requests, for tests only: it produces the bytes
 * an OpenTelemetry SDK would send, from the same OTLP/JSON shape the receiver's decoder returns.
 * Written independently of the decoder (plain byte arrays, BigInt for 64-bit values) so a round
 * trip checks one against the other. proto3 rules: default scalars are left out, oneof members and
 * present sub-messages are always written.
 *
 * `unknownFields` adds fields a newer SDK might send (and the ones the decoder skips on purpose:
 * trace_state, flags, dropped counts, schema URLs) to every message, in every wire type.
 */
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScope,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
  OtlpTraceRequest,
} from '../../src/core/mas/otlpTypes';

export interface EncodeOptions {
  unknownFields?: boolean;
}

class Writer {
  readonly bytes: number[] = [];

  varint(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(BigInt(field * 8 + wire));
  }

  fixed64(field: number, value: bigint): this {
    this.tag(field, 1);
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((value >> (8n * i)) & 0xffn));
    return this;
  }

  fixed32(field: number, value: number): this {
    this.tag(field, 5);
    for (let i = 0; i < 4; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.bytes.push(...b);
    return this;
  }

  len(field: number, payload: ArrayLike<number>): this {
    this.tag(field, 2).varint(BigInt(payload.length));
    for (let i = 0; i < payload.length; i++) this.bytes.push(payload[i]);
    return this;
  }

  string(field: number, value: string): this {
    return this.len(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.len(field, inner.bytes);
  }

  noise(options: EncodeOptions): this {
    if (!options.unknownFields) return this;
    this.tag(1000, 0).varint(-5n);
    this.fixed64(1001, 0x0102030405060708n);
    this.fixed32(1002, 0xdeadbeef);
    this.string(1003, 'field from a newer schema');
    return this;
  }
}

export function encodeTraceRequest(request: OtlpTraceRequest, options: EncodeOptions = {}): Uint8Array {
  const w = new Writer();
  for (const rs of request.resourceSpans) w.message(1, (m) => resourceSpans(m, rs, options));
  w.noise(options);
  return Uint8Array.from(w.bytes);
}

function resourceSpans(w: Writer, rs: OtlpResourceSpans, options: EncodeOptions): void {
  w.message(1, (m) => {
    for (const kv of rs.resource.attributes) m.message(1, (a) => keyValue(a, kv, options));
    if (options.unknownFields) m.tag(2, 0).varint(3n);
    m.noise(options);
  });
  for (const ss of rs.scopeSpans) w.message(2, (m) => scopeSpans(m, ss, options));
  if (options.unknownFields) w.string(3, 'https://opentelemetry.io/schemas/1.30.0');
  w.noise(options);
}

function scopeSpans(w: Writer, ss: OtlpScopeSpans, options: EncodeOptions): void {
  if (ss.scope) w.message(1, (m) => scope(m, ss.scope as OtlpScope, options));
  for (const span of ss.spans) w.message(2, (m) => spanMessage(m, span, options));
  if (options.unknownFields) w.string(3, 'https://opentelemetry.io/schemas/1.30.0');
  w.noise(options);
}

function scope(w: Writer, s: OtlpScope, options: EncodeOptions): void {
  if (s.name) w.string(1, s.name);
  if (s.version) w.string(2, s.version);
  for (const kv of s.attributes) w.message(3, (a) => keyValue(a, kv, options));
  w.noise(options);
}

function spanMessage(w: Writer, s: OtlpSpan, options: EncodeOptions): void {
  if (s.traceId) w.len(1, Buffer.from(s.traceId, 'hex'));
  if (s.spanId) w.len(2, Buffer.from(s.spanId, 'hex'));
  if (options.unknownFields) w.string(3, 'vendor=value');
  if (s.parentSpanId) w.len(4, Buffer.from(s.parentSpanId, 'hex'));
  if (options.unknownFields) w.fixed32(16, 0x301);
  if (s.name) w.string(5, s.name);
  if (s.kind !== 0) w.tag(6, 0).varint(BigInt(s.kind));
  if (s.startTimeUnixNano !== '0') w.fixed64(7, BigInt(s.startTimeUnixNano));
  if (s.endTimeUnixNano !== '0') w.fixed64(8, BigInt(s.endTimeUnixNano));
  for (const kv of s.attributes) w.message(9, (a) => keyValue(a, kv, options));
  if (options.unknownFields) w.tag(10, 0).varint(2n);
  for (const e of s.events) w.message(11, (m) => event(m, e, options));
  if (options.unknownFields) w.tag(12, 0).varint(1n);
  for (const l of s.links) w.message(13, (m) => link(m, l, options));
  if (options.unknownFields) w.tag(14, 0).varint(4n);
  if (s.status) w.message(15, (m) => status(m, s.status as OtlpStatus, options));
  w.noise(options);
}

function event(w: Writer, e: OtlpEvent, options: EncodeOptions): void {
  if (e.timeUnixNano !== '0') w.fixed64(1, BigInt(e.timeUnixNano));
  if (e.name) w.string(2, e.name);
  for (const kv of e.attributes) w.message(3, (a) => keyValue(a, kv, options));
  if (options.unknownFields) w.tag(4, 0).varint(7n);
  w.noise(options);
}

function link(w: Writer, l: OtlpLink, options: EncodeOptions): void {
  if (l.traceId) w.len(1, Buffer.from(l.traceId, 'hex'));
  if (l.spanId) w.len(2, Buffer.from(l.spanId, 'hex'));
  if (options.unknownFields) w.string(3, 'link-state');
  for (const kv of l.attributes) w.message(4, (a) => keyValue(a, kv, options));
  if (options.unknownFields) w.fixed32(6, 1);
  w.noise(options);
}

function status(w: Writer, s: OtlpStatus, options: EncodeOptions): void {
  if (s.message) w.string(2, s.message);
  if (s.code !== 0) w.tag(3, 0).varint(BigInt(s.code));
  w.noise(options);
}

function keyValue(w: Writer, kv: OtlpKeyValue, options: EncodeOptions): void {
  if (kv.key) w.string(1, kv.key);
  w.message(2, (m) => anyValue(m, kv.value, options));
  w.noise(options);
}

function anyValue(w: Writer, v: OtlpAnyValue, options: EncodeOptions): void {
  if ('stringValue' in v) w.string(1, v.stringValue);
  else if ('boolValue' in v) w.tag(2, 0).varint(v.boolValue ? 1n : 0n);
  else if ('intValue' in v) w.tag(3, 0).varint(BigInt(v.intValue));
  else if ('doubleValue' in v) w.double(4, typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue));
  else if ('arrayValue' in v) w.message(5, (m) => v.arrayValue.values.forEach((x) => m.message(1, (i) => anyValue(i, x, options))));
  else if ('kvlistValue' in v) w.message(6, (m) => v.kvlistValue.values.forEach((x) => m.message(1, (i) => keyValue(i, x, options))));
  else if ('bytesValue' in v) w.len(7, Buffer.from(v.bytesValue, 'base64'));
  w.noise(options);
}

/** OTLP/JSON attribute helpers for hand-written spans in tests. */
export const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { stringValue: value } });
export const int = (key: string, value: number): OtlpKeyValue => ({ key, value: { intValue: String(value) } });
