import { strict as assert } from 'node:assert';
import { start, fakePromptTokens, fakeCompletionTokens, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

async function post(server: FakeOpenAiServer, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('fake OpenAI server', () => {
  let server: FakeOpenAiServer;
  afterEach(async () => {
    await server.close();
  });

  it('answers chat completions with deterministic usage and lists models', async () => {
    server = await start({ models: ['m1', 'm2'] });
    const messages = [{ role: 'user', content: 'Hello, world!' }];
    const { status, json } = await post(server, { model: 'm1', messages });
    assert.equal(status, 200);
    assert.equal(json.choices[0].message.content, 'ok: Hello, world!');
    assert.deepEqual(json.usage, {
      prompt_tokens: fakePromptTokens(messages),
      completion_tokens: fakeCompletionTokens('ok: Hello, world!'),
      total_tokens: fakePromptTokens(messages) + fakeCompletionTokens('ok: Hello, world!'),
    });
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    assert.deepEqual(models.data.map((m) => m.id), ['m1', 'm2']);
    assert.equal((await post(server, { model: 'other', messages })).status, 404);
  });

  it('refuses streaming with a clear message', async () => {
    server = await start();
    const { status, json } = await post(server, { model: 'x', messages: [], stream: true });
    assert.equal(status, 400);
    assert.match(json.error.message, /does not stream/);
  });

  it('serialises responder objects and hands the json_schema to the responder', async () => {
    server = await start({ responder: (req) => ({ json: { schemaName: req.jsonSchema?.name } }) });
    const { json } = await post(server, {
      model: 'x',
      messages: [{ role: 'user', content: 'q' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
    });
    assert.deepEqual(JSON.parse(json.choices[0].message.content), { schemaName: 'answer' });
  });

  it('draws the same faults for the same seed and follows a script first', async () => {
    const draw = async () => {
      const s = await start({ faults: { script: ['fenced'], probability: 0.5, seed: 9, kinds: ['prose', 'invalid', 'wrong-schema', 'truncated'] } });
      for (let i = 0; i < 20; i++) await post(s, { model: 'x', messages: [{ role: 'user', content: `m${i}` }] });
      const faults = s.chatRequests().map((r) => r.fault ?? '-');
      await s.close();
      return faults;
    };
    const first = await draw();
    assert.deepEqual(await draw(), first);
    assert.equal(first[0], 'fenced');
    assert.ok(first.filter((f) => f !== '-').length > 3);
    server = await start();
  });

  it('sends 429 with Retry-After and tracks concurrent requests', async () => {
    server = await start({ faults: { script: [{ kind: 'rate-limit', retryAfterSeconds: 120 }] }, baseLatencyMs: 100 });
    const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'x', messages: [] }) });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '120');
    await Promise.all([1, 2, 3].map(() => post(server, { model: 'x', messages: [] })));
    assert.equal(server.stats.maxInFlight, 3);
    assert.equal(server.stats.inFlight, 0);
  });
});
