import { strict as assert } from 'node:assert';
import { z } from 'zod';
import { probeCapabilities } from '../../../src/core/llm/capabilities';
import { callStructured } from '../../../src/core/llm/structured';
import { start, type FakeChatRequest, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { makeHarness, user } from './helpers';

const Credit = z.object({
  score: z.number().min(0).max(1),
  verdict: z.enum(['helped', 'hurt', 'neutral']),
  reasons: z.array(z.string()),
});

const good = { score: 0.75, verdict: 'helped', reasons: ['kept the plan'] };

/** Answers probes the way a supporting server would, and everything else with `answer`. */
function responder(answer: unknown) {
  return (req: FakeChatRequest) => (req.jsonSchema?.name === 'truce_probe' ? { json: { ok: true } } : { json: answer });
}

describe('llm/structured', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('uses response_format json_schema (strict) where the probe finds support', async () => {
    server = await start({ responder: responder(good) });
    const { client, records } = makeHarness({ baseUrl: server.url });
    const result = await callStructured(client, { messages: user('Rate round 2.'), schema: Credit, schemaName: 'credit' }, { phase: 'phi' });
    assert.ok(result.ok);
    assert.deepEqual(result.value, good);
    assert.equal(result.mode, 'json_schema');
    const call = server.chatRequests().find((r) => (r.body as { messages: Array<{ content: string }> }).messages[0]?.content === 'Rate round 2.');
    const format = (call?.body as { response_format: { type: string; json_schema: { name: string; strict: boolean } } }).response_format;
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'credit');
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(
      records.map((r) => [r.phase, r.purpose]),
      [
        ['probe', 'probe'],
        ['phi', 'call'],
      ],
    );
  });

  it('falls back to instructions and extracts fenced JSON where json_schema is rejected', async () => {
    server = await start({ jsonSchema: 'reject', responder: () => 'Here you go:\n```json\n' + JSON.stringify(good) + '\n```' });
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await callStructured(
      client,
      { messages: [{ role: 'system', content: 'You are a critic.' }, ...user('Rate it.')], schema: Credit, schemaName: 'credit' },
      { phase: 'phi' },
    );
    assert.ok(result.ok);
    assert.equal(result.mode, 'prompt');
    assert.deepEqual(result.value, good);
    const sent = server.chatRequests().at(-1)?.body as { messages: Array<{ role: string; content: string }>; response_format?: unknown };
    assert.equal(sent.response_format, undefined);
    assert.equal(sent.messages.filter((m) => m.role === 'system').length, 1, 'instructions join the existing system message');
    assert.match(sent.messages[0]?.content ?? '', /^You are a critic\.\n\nAnswer with one JSON object/);
    assert.match(sent.messages[0]?.content ?? '', /"verdict"/);
  });

  it('treats a server that ignores response_format and chats back as unsupported', async () => {
    server = await start({ responder: () => 'Sure thing! All good.' });
    const { client } = makeHarness({ baseUrl: server.url });
    assert.deepEqual(await probeCapabilities(client), { jsonSchema: false, logprobs: true });
    assert.equal(server.chatRequests().length, 2);
    await probeCapabilities(client);
    assert.equal(server.chatRequests().length, 2, 'answers are cached per endpoint and model');
  });

  it('finds no log-probabilities where the server sends none', async () => {
    server = await start({ logprobs: false, responder: responder(good) });
    const { client } = makeHarness({ baseUrl: server.url });
    assert.deepEqual(await probeCapabilities(client), { jsonSchema: true, logprobs: false });
  });

  it('repairs once by sending the problem back, and succeeds', async () => {
    server = await start({ responder: responder(good), faults: { script: [null, 'invalid'] } });
    const { client, records } = makeHarness({ baseUrl: server.url });
    const result = await callStructured(client, { messages: user('Rate it.'), schema: Credit, schemaName: 'credit' }, { phase: 'psi', agent: 'critic' });
    assert.ok(result.ok);
    assert.equal(result.repaired, true);
    assert.equal(result.calls.length, 2);
    const repair = server.chatRequests().at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.equal(repair.messages.at(-2)?.role, 'assistant');
    assert.match(repair.messages.at(-2)?.content ?? '', /tru,/);
    assert.match(repair.messages.at(-1)?.content ?? '', /could not be used.*does not parse/s);
    assert.deepEqual(records.map((r) => r.purpose), ['probe', 'call', 'repair']);
  });

  it('sends zod issues back for a reply of the wrong shape', async () => {
    server = await start({ responder: responder(good), faults: { script: [null, 'wrong-schema'] } });
    const { client } = makeHarness({ baseUrl: server.url });
    const result = await callStructured(client, { messages: user('Rate it.'), schema: Credit, schemaName: 'credit' }, { phase: 'psi' });
    assert.ok(result.ok && result.repaired);
    const repair = server.chatRequests().at(-1)?.body as { messages: Array<{ content: string }> };
    assert.match(repair.messages.at(-1)?.content ?? '', /- score: /);
  });

  it('returns a typed failure value, not a guess, when the repair fails too', async () => {
    server = await start({ responder: responder({ score: 3, verdict: 'maybe', reasons: [] }) });
    const { client } = makeHarness({ baseUrl: server.url, structuredOutput: 'json_schema' });
    const result = await callStructured(client, { messages: user('Rate it.'), schema: Credit, schemaName: 'credit' }, { phase: 'psi' });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal('value' in result, false);
    assert.equal(result.error.kind, 'invalid-output');
    assert.equal(result.error.stage, 'validate');
    assert.ok(result.error.issues.some((i) => i.startsWith('score:')));
    assert.ok(result.error.issues.some((i) => i.startsWith('verdict:')));
    assert.equal(result.error.raw, JSON.stringify({ score: 3, verdict: 'maybe', reasons: [] }));
    assert.equal(server.chatRequests().length, 2, 'no probe when the endpoint says json_schema; exactly one repair');
  });

  it('reports a truncated reply as such', async () => {
    server = await start({ responder: responder(good), faults: { script: ['truncated', 'truncated'] } });
    const { client } = makeHarness({ baseUrl: server.url, structuredOutput: 'prompt' });
    const result = await callStructured(client, { messages: user('Rate it.'), schema: Credit, schemaName: 'credit' }, { phase: 'psi' });
    assert.ok(!result.ok);
    assert.equal(result.error.stage, 'extract');
    assert.match(result.error.message, /cut off.*token limit/s);
  });

  it('probes once for many concurrent structured calls', async () => {
    server = await start({ responder: responder(good) });
    const { client } = makeHarness({ baseUrl: server.url });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => callStructured(client, { messages: user(`task ${i}`), schema: Credit, schemaName: 'credit' }, { phase: 'phi' })),
    );
    assert.ok(results.every((r) => r.ok));
    assert.equal(server.chatRequests().filter((r) => (r.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema?.name === 'truce_probe').length, 1);
  });
});
