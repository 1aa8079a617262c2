import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodeTraceRequest } from '../../../src/core/mas/otlpProtobuf';
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpSpan, OtlpTraceRequest } from '../../../src/core/mas/otlpTypes';
import { encodeTraceRequest } from '../../support/otlpProto';

const hexId = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const nanos = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
const text = fc.string({ unit: 'grapheme', maxLength: 12 });

const anyValue: fc.Arbitrary<OtlpAnyValue> = fc.letrec<{ value: OtlpAnyValue; kv: OtlpKeyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((stringValue) => ({ stringValue })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((i) => ({ intValue: String(i) })),
    fc.double().map((d) => ({ doubleValue: Number.isFinite(d) ? d : String(d) })),
    fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytesValue: Buffer.from(b).toString('base64') })),
    fc.constant({} as OtlpAnyValue),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(tie('kv'), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } })),
  ),
  kv: fc.record({ key: text, value: tie('value') }),
})).value;

const attributes = fc.array(fc.record({ key: text, value: anyValue }), { maxLength: 3 });

const span: fc.Arbitrary<OtlpSpan> = fc
  .record({
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: fc.option(hexId(8), { nil: undefined }),
    name: text,
    kind: fc.integer({ min: 0, max: 5 }),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: fc.array(fc.record({ timeUnixNano: nanos, name: text, attributes }), { maxLength: 2 }),
    links: fc.array(fc.record({ traceId: hexId(16), spanId: hexId(8), attributes }), { maxLength: 2 }),
    status: fc.option(fc.record({ code: fc.integer({ min: 0, max: 2 }), message: text }), { nil: undefined }),
  })
  .map((s) => {
    const { parentSpanId, status, ...rest } = s;
    return { ...rest, ...(parentSpanId ? { parentSpanId } : {}), ...(status ? { status } : {}) };
  });

const request: fc.Arbitrary<OtlpTraceRequest> = fc.record({
  resourceSpans: fc.array(
    fc.record({
      resource: fc.record({ attributes }),
      scopeSpans: fc.array(
        fc
          .record({ scope: fc.option(fc.record({ name: text, version: text, attributes }), { nil: undefined }), spans: fc.array(span, { maxLength: 3 }) })
          .map(({ scope, spans }) => ({ ...(scope ? { scope } : {}), spans })),
        { maxLength: 2 },
      ),
    }) as fc.Arbitrary<OtlpResourceSpans>,
    { maxLength: 2 },
  ),
});

describe('mas/otlpProtobuf (property)', () => {
  it('decodes what an independent encoder wrote, field for field', () => {
    fc.assert(
      fc.property(request, fc.boolean(), (req, noise) => {
        const decoded = decodeTraceRequest(encodeTraceRequest(req, { unknownFields: noise }));
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error);
        // structuredClone: fast-check builds records without a prototype; the decoder builds plain objects.
        assert.deepStrictEqual(decoded.request, structuredClone(req));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes, and never on truncated or bit-flipped real requests', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const decoded = decodeTraceRequest(bytes);
        if (!decoded.ok) assert.match(decoded.error, /^not a valid OTLP ExportTraceServiceRequest: /);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(request, fc.nat(), fc.nat(), (req, cut, flip) => {
        const bytes = encodeTraceRequest(req);
        if (bytes.length === 0) return;
        const truncated = bytes.subarray(0, cut % bytes.length);
        decodeTraceRequest(truncated);
        const flipped = Uint8Array.from(bytes);
        flipped[flip % bytes.length] ^= 1 << flip % 8;
        decodeTraceRequest(flipped);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a hand-checked request and reports concrete wire errors', () => {
    // resource_spans { scope_spans { spans { trace_id(16 x 0x01) span_id(8 x 0x02) name "a" kind 2 } } }
    const spanBytes = [0x0a, 16, ...Array(16).fill(1), 0x12, 8, ...Array(8).fill(2), 0x2a, 1, 0x61, 0x30, 2];
    const scopeSpans = [0x12, spanBytes.length, ...spanBytes];
    const resourceSpans = [0x12, scopeSpans.length, ...scopeSpans];
    const decoded = decodeTraceRequest(Uint8Array.from([0x0a, resourceSpans.length, ...resourceSpans]));
    assert.ok(decoded.ok);
    const s = decoded.request.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(s.traceId, '01'.repeat(16));
    assert.equal(s.spanId, '02'.repeat(8));
    assert.equal(s.name, 'a');
    assert.equal(s.kind, 2);
    assert.equal(s.parentSpanId, undefined);

    const bad = (bytes: number[], pattern: RegExp) => {
      const r = decodeTraceRequest(Uint8Array.from(bytes));
      assert.ok(!r.ok);
      assert.match(r.error, pattern);
    };
    bad([0x0a, 5, 1, 2], /runs past the end/);
    bad([0x0b], /unsupported wire type 3/);
    bad([0x00, 0], /invalid field number 0/);
    bad([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /varint longer than 10 bytes/);
    // 100 nested array values (AnyValue.array_value → ArrayValue.values → AnyValue …): deeper than the decoder accepts.
    let nested: number[] = [];
    for (let i = 0; i < 100; i++) {
      const arrayValue = [0x0a, ...varint(nested.length), ...nested];
      nested = [0x2a, ...varint(arrayValue.length), ...arrayValue];
    }
    const kv = [0x12, ...varint(nested.length), ...nested];
    const sp = [0x4a, ...varint(kv.length), ...kv];
    const ss = [0x12, ...varint(sp.length), ...sp];
    const rs = [0x12, ...varint(ss.length), ...ss];
    bad([0x0a, ...varint(rs.length), ...rs], /nested deeper than 64/);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
