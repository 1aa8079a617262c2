/**
 * A decoder for OTLP/HTTP protobuf trace exports (ExportTraceServiceRequest), written against the
 * protobuf wire format so the extension needs no protobuf runtime.
 *
 * Wire format in brief: a message is a sequence of (tag, value) pairs; tag = field << 3 | wire type.
 * Wire types: 0 varint, 1 eight bytes (fixed64/double), 2 length-delimited (strings, bytes,
 * messages), 5 four bytes (fixed32). Fields may come in any order and repeated fields may be
 * interleaved, so everything is read field by field; fields we do not know, and known fields with
 * an unexpected wire type, are skipped by their wire type. A singular field seen twice keeps the
 * last value (for sub-messages protobuf would merge them; no exporter sends that).
 *
 * Field numbers (opentelemetry/proto, trace/v1, common/v1, resource/v1):
 *   ExportTraceServiceRequest  1 resource_spans*
 *   ResourceSpans              1 resource, 2 scope_spans*          (3 schema_url skipped)
 *   Resource                   1 attributes*                        (2 dropped count skipped)
 *   ScopeSpans                 1 scope, 2 spans*                    (3 schema_url skipped)
 *   InstrumentationScope       1 name, 2 version, 3 attributes*
 *   Span                       1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind,
 *                              7 start_time_unix_nano (fixed64), 8 end_time_unix_nano (fixed64),
 *                              9 attributes*, 11 events*, 13 links*, 15 status
 *                              (3 trace_state, 10/12/14 dropped counts, 16 flags skipped)
 *   Span.Event                 1 time_unix_nano (fixed64), 2 name, 3 attributes*
 *   Span.Link                  1 trace_id, 2 span_id, 4 attributes*
 *   Status                     2 message, 3 code
 *   KeyValue                   1 key, 2 value
 *   AnyValue (oneof)           1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes
 *   ArrayValue / KeyValueList  1 values*
 *
 * Garbage never throws out of `decodeTraceRequest`: it returns `{ ok: false, error }`.
 */
import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpResourceSpans, OtlpScope, OtlpScopeSpans, OtlpSpan, OtlpStatus, OtlpTraceRequest } from './otlpTypes';

export type DecodeResult = { ok: true; request: OtlpTraceRequest } | { ok: false; error: string };

/** AnyValue arrays and kvlists can nest; a crafted request must not exhaust the stack. */
const MAX_DEPTH = 64;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class WireError extends Error {}

export function decodeTraceRequest(bytes: Uint8Array): DecodeResult {
  try {
    const request: OtlpTraceRequest = { resourceSpans: [] };
    const r = new Reader(bytes, 0, bytes.length);
    while (!r.done()) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === WIRE_LEN) request.resourceSpans.push(resourceSpans(r.sub()));
      else r.skip(wire);
    }
    return { ok: true, request };
  } catch (error) {
    const detail = error instanceof WireError ? error.message : `unreadable input (${error instanceof Error ? error.message : String(error)})`;
    return { ok: false, error: `not a valid OTLP ExportTraceServiceRequest: ${detail}` };
  }
}

/** A bounded view of the input; every read checks the bound. */
class Reader {
  constructor(
    private readonly buf: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { field: number; wire: number } {
    const at = this.pos;
    const value = this.varint();
    const field = Math.floor(value / 8);
    const wire = value % 8;
    if (field < 1 || field > 0x1fffffff) throw new WireError(`invalid field number ${field} at byte ${at}`);
    return { field, wire };
  }

  /** A varint as a number: exact for tags, lengths and counts, the only uses. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A varint as a 64-bit two's-complement integer (int64, int32 and enums are sign-extended to 64 bits). */
  varintSigned(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asIntN(64, value);
      shift += 7n;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  fixed64(): bigint {
    const view = this.take(8);
    return new DataView(view.buffer, view.byteOffset, 8).getBigUint64(0, true);
  }

  double(): number {
    const view = this.take(8);
    return new DataView(view.buffer, view.byteOffset, 8).getFloat64(0, true);
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (length > this.end - this.pos) throw new WireError(`length ${length} at byte ${this.pos} runs past the end of its message`);
    return this.take(length);
  }

  string(): string {
    const b = this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  }

  /** A length-delimited sub-message, read in place. */
  sub(): Reader {
    const length = this.varint();
    if (length > this.end - this.pos) throw new WireError(`length ${length} at byte ${this.pos} runs past the end of its message`);
    const inner = new Reader(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return inner;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.take(8);
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_I32:
        this.take(4);
        return;
      default:
        // 3 and 4 are the long-deprecated groups; OTLP never uses them, 6 and 7 do not exist.
        throw new WireError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireError(`message ends inside a value at byte ${this.pos}`);
    return this.buf[this.pos++];
  }

  private take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new WireError(`message ends inside a value at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

function resourceSpans(r: Reader): OtlpResourceSpans {
  const out: OtlpResourceSpans = { resource: { attributes: [] }, scopeSpans: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.resource = { attributes: attributesOnly(r.sub()) };
    else if (field === 2 && wire === WIRE_LEN) out.scopeSpans.push(scopeSpans(r.sub()));
    else r.skip(wire);
  }
  return out;
}

/** Resource: field 1 holds its attributes. */
function attributesOnly(r: Reader): OtlpKeyValue[] {
  const attributes: OtlpKeyValue[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) attributes.push(keyValue(r.sub(), 0));
    else r.skip(wire);
  }
  return attributes;
}

function scopeSpans(r: Reader): OtlpScopeSpans {
  const out: OtlpScopeSpans = { spans: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.scope = scope(r.sub());
    else if (field === 2 && wire === WIRE_LEN) out.spans.push(span(r.sub()));
    else r.skip(wire);
  }
  return out;
}

function scope(r: Reader): OtlpScope {
  const out: OtlpScope = { name: '', version: '', attributes: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.name = r.string();
    else if (field === 2 && wire === WIRE_LEN) out.version = r.string();
    else if (field === 3 && wire === WIRE_LEN) out.attributes.push(keyValue(r.sub(), 0));
    else r.skip(wire);
  }
  return out;
}

function span(r: Reader): OtlpSpan {
  const out: OtlpSpan = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
    events: [],
    links: [],
  };
  let parent = '';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WIRE_LEN && field === 1) out.traceId = hex(r.bytes());
    else if (wire === WIRE_LEN && field === 2) out.spanId = hex(r.bytes());
    else if (wire === WIRE_LEN && field === 4) parent = hex(r.bytes());
    else if (wire === WIRE_LEN && field === 5) out.name = r.string();
    else if (wire === WIRE_VARINT && field === 6) out.kind = Number(BigInt.asIntN(32, r.varintSigned()));
    else if (wire === WIRE_I64 && field === 7) out.startTimeUnixNano = r.fixed64().toString();
    else if (wire === WIRE_I64 && field === 8) out.endTimeUnixNano = r.fixed64().toString();
    else if (wire === WIRE_LEN && field === 9) out.attributes.push(keyValue(r.sub(), 0));
    else if (wire === WIRE_LEN && field === 11) out.events.push(event(r.sub()));
    else if (wire === WIRE_LEN && field === 13) out.links.push(link(r.sub()));
    else if (wire === WIRE_LEN && field === 15) out.status = status(r.sub());
    else r.skip(wire);
  }
  // An empty parent id is how protobuf says "root span".
  if (parent !== '') out.parentSpanId = parent;
  return out;
}

function event(r: Reader): OtlpEvent {
  const out: OtlpEvent = { timeUnixNano: '0', name: '', attributes: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_I64) out.timeUnixNano = r.fixed64().toString();
    else if (field === 2 && wire === WIRE_LEN) out.name = r.string();
    else if (field === 3 && wire === WIRE_LEN) out.attributes.push(keyValue(r.sub(), 0));
    else r.skip(wire);
  }
  return out;
}

function link(r: Reader): OtlpLink {
  const out: OtlpLink = { traceId: '', spanId: '', attributes: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.traceId = hex(r.bytes());
    else if (field === 2 && wire === WIRE_LEN) out.spanId = hex(r.bytes());
    else if (field === 4 && wire === WIRE_LEN) out.attributes.push(keyValue(r.sub(), 0));
    else r.skip(wire);
  }
  return out;
}

function status(r: Reader): OtlpStatus {
  const out: OtlpStatus = { code: 0, message: '' };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 2 && wire === WIRE_LEN) out.message = r.string();
    else if (field === 3 && wire === WIRE_VARINT) out.code = Number(BigInt.asIntN(32, r.varintSigned()));
    else r.skip(wire);
  }
  return out;
}

function keyValue(r: Reader, depth: number): OtlpKeyValue {
  const out: OtlpKeyValue = { key: '', value: {} };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out.key = r.string();
    else if (field === 2 && wire === WIRE_LEN) out.value = anyValue(r.sub(), depth + 1);
    else r.skip(wire);
  }
  return out;
}

function anyValue(r: Reader, depth: number): OtlpAnyValue {
  if (depth > MAX_DEPTH) throw new WireError(`attribute values nested deeper than ${MAX_DEPTH} levels`);
  let out: OtlpAnyValue = {};
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) out = { stringValue: r.string() };
    else if (field === 2 && wire === WIRE_VARINT) out = { boolValue: r.varintSigned() !== 0n };
    else if (field === 3 && wire === WIRE_VARINT) out = { intValue: r.varintSigned().toString() };
    else if (field === 4 && wire === WIRE_I64) {
      const d = r.double();
      out = { doubleValue: Number.isFinite(d) ? d : String(d) };
    } else if (field === 5 && wire === WIRE_LEN) out = { arrayValue: { values: valuesOf(r.sub(), depth, anyValue) } };
    else if (field === 6 && wire === WIRE_LEN) out = { kvlistValue: { values: valuesOf(r.sub(), depth, keyValue) } };
    else if (field === 7 && wire === WIRE_LEN) out = { bytesValue: Buffer.from(r.bytes()).toString('base64') };
    else r.skip(wire);
  }
  return out;
}

/** ArrayValue and KeyValueList: field 1 repeated. */
function valuesOf<T>(r: Reader, depth: number, read: (r: Reader, depth: number) => T): T[] {
  const values: T[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_LEN) values.push(read(r.sub(), depth + 1));
    else r.skip(wire);
  }
  return values;
}
