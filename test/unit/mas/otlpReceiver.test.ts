import { strict as assert } from 'node:assert';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { OtlpReceiver } from '../../../src/core/mas/otlpReceiver';
import type { OtlpSpan, OtlpTraceRequest } from '../../../src/core/mas/otlpTypes';
import { encodeTraceRequest, str } from '../../support/otlpProto';

function span(spanId: string, attrs: Record<string, string> = {}): OtlpSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId,
    name: `span ${spanId}`,
    kind: 1,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
    attributes: Object.entries(attrs).map(([k, v]) => str(k, v)),
    events: [],
    links: [],
  };
}

function body(spans: OtlpSpan[], resource: Record<string, string> = { 'service.name': 'svc' }): OtlpTraceRequest {
  return { resourceSpans: [{ resource: { attributes: Object.entries(resource).map(([k, v]) => str(k, v)) }, scopeSpans: [{ scope: { name: 's', version: '', attributes: [] }, spans }] }] };
}

/** The bearer token of the receiver under test, sent by `post` unless a test sends its own headers. */
let auth: Record<string, string> = {};

async function post(url: string, contentType: string, payload: Uint8Array | string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...auth, ...headers }, body: typeof payload === 'string' ? payload : Uint8Array.from(payload) });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

const spanIds = (collected: ReturnType<ReturnType<OtlpReceiver['beginTask']>['stop']>) => collected.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)));

describe('mas/OtlpReceiver', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await OtlpReceiver.start({ maxBodyBytes: 64 * 1024 });
    auth = { authorization: `Bearer ${receiver.token}` };
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('answers 401 to a request without the per-run bearer token, and collects nothing from it', async () => {
    const task = receiver.beginTask('t1');
    const payload = JSON.stringify(body([span('00000000000000b1')]));
    assert.match(receiver.token, /^[0-9a-f]{64}$/);
    assert.equal(receiver.headers, `Authorization=Bearer%20${receiver.token}`);
    const other = await OtlpReceiver.start();
    try {
      for (const headers of [{ authorization: '' }, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${other.token}` }, { authorization: receiver.token }]) {
        const r = await post(receiver.tracesUrl, 'application/json', payload, headers);
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.match(r.bytes.toString(), /bearer token/);
      }
      // Every route: a process that guesses the port learns nothing else either.
      assert.equal((await post(`${receiver.endpoint}/v1/metrics`, 'application/json', '{}', { authorization: '' })).status, 401);
    } finally {
      await other.close();
    }
    assert.equal(task.spanCount, 0);
    assert.equal((await post(receiver.tracesUrl, 'application/json', payload)).status, 200);
    assert.equal(task.spanCount, 1);
  });

  it('listens on loopback and accepts OTLP/JSON and OTLP/protobuf with the success response of each encoding', async () => {
    assert.match(receiver.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const task = receiver.beginTask('t1');
    const json = await post(receiver.tracesUrl, 'application/json', JSON.stringify(body([span('00000000000000a1')])));
    assert.deepEqual([json.status, json.type, json.bytes.toString()], [200, 'application/json', '{}']);
    const proto = await post(receiver.tracesUrl, 'application/x-protobuf', encodeTraceRequest(body([span('00000000000000a2')])));
    assert.deepEqual([proto.status, proto.type, proto.bytes.length], [200, 'application/x-protobuf', 0]);
    const gz = await post(receiver.tracesUrl, 'application/x-protobuf', gzipSync(encodeTraceRequest(body([span('00000000000000a3')]))), { 'content-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(task.spanCount, 3);
    const collected = task.stop();
    assert.deepEqual(spanIds(collected), ['00000000000000a1', '00000000000000a2', '00000000000000a3']);
    assert.deepEqual(collected[1].resource.attributes, [str('service.name', 'svc')]);
  });

  it('routes spans that name their task to that task and untagged spans to every open window', async () => {
    const one = receiver.beginTask('one');
    const two = receiver.beginTask('two');
    await post(receiver.tracesUrl, 'application/json', JSON.stringify(body([span('0000000000000001', { 'truce.task.id': 'one' }), span('0000000000000002')])));
    await post(receiver.tracesUrl, 'application/x-protobuf', encodeTraceRequest(body([span('0000000000000003')], { 'truce.task_id': 'two' })));
    assert.deepEqual(spanIds(one.stop()), ['0000000000000001', '0000000000000002']);
    await post(receiver.tracesUrl, 'application/json', JSON.stringify(body([span('0000000000000004')])));
    assert.deepEqual(spanIds(two.stop()), ['0000000000000002', '0000000000000003', '0000000000000004']);
    await post(receiver.tracesUrl, 'application/json', JSON.stringify(body([span('0000000000000005')])));
    const late = receiver.beginTask('three');
    assert.equal(late.spanCount, 0, 'spans that arrived while no window was open are dropped');
  });

  it('answers 400 with a Status message for unreadable bodies and never collects from them', async () => {
    const task = receiver.beginTask('t');
    const badProto = await post(receiver.tracesUrl, 'application/x-protobuf', Uint8Array.from([0x0a, 0x05, 0x01]));
    assert.equal(badProto.status, 400);
    assert.equal(badProto.type, 'application/x-protobuf');
    // google.rpc.Status: field 1 code = 3, field 2 message.
    assert.deepEqual([...badProto.bytes.subarray(0, 3)], [0x08, 3, 0x12]);
    assert.match(badProto.bytes.toString('utf8'), /runs past the end/);
    const badJson = await post(receiver.tracesUrl, 'application/json', '{"resourceSpans": ');
    assert.equal(badJson.status, 400);
    assert.match(JSON.parse(badJson.bytes.toString()).message, /not valid JSON/);
    assert.equal((await post(receiver.tracesUrl, 'application/json', '{"resourceSpans": {}}')).status, 400);
    assert.equal((await post(receiver.tracesUrl, 'application/json', '[1]')).status, 400);
    assert.equal((await post(receiver.tracesUrl, 'text/plain', 'hello')).status, 415);
    assert.equal((await post(`${receiver.endpoint}/v1/metrics`, 'application/json', '{}')).status, 404);
    assert.equal((await fetch(receiver.tracesUrl, { headers: auth })).status, 405);
    assert.equal((await post(receiver.tracesUrl, 'application/x-protobuf', Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).status, 400);
    assert.equal(task.spanCount, 0);
  });

  it('refuses bodies over the size limit with 413, declared or streamed, compressed or not', async () => {
    const task = receiver.beginTask('t');
    const big = Buffer.alloc(65 * 1024, 0x20);
    assert.equal((await post(receiver.tracesUrl, 'application/json', big)).status, 413);
    // Chunked, without a Content-Length: the limit is found while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(receiver.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024, 0x20));
      req.end();
    });
    assert.equal(streamed, 413);
    // A small gzip bomb: 1 MB of zeros compresses to about a kilobyte.
    assert.equal((await post(receiver.tracesUrl, 'application/x-protobuf', gzipSync(Buffer.alloc(1024 * 1024)), { 'content-encoding': 'gzip' })).status, 413);
    assert.equal(task.spanCount, 0);
  });
});
