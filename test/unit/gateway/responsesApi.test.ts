/**
 * The Responses API through the run gateway, driven by the official `openai` SDK as the OpenAI
 * Agents SDK drives it: a whole reply and a stream are forwarded, recorded with their usage and the
 * agent found by `instructions`, and replayed — the stream as a stream — with no upstream call.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Budget, createLlmServices, LlmClient, type LlmCallRecord } from '../../../src/core/llm';
import type { PromptSet } from '../../../src/core/mas/types';
import { readRecordings, RunGateway } from '../../../src/core/run/runGateway';

const PROMPTS: PromptSet = {
  hash: 'h',
  agents: { critic: { agent: { id: 'critic', kind: 'role', prompt: 'critic.md' }, systemPrompt: 'You are the critic.', file: 'critic.md', fileText: '' } },
};
const USAGE = { input_tokens: 5, output_tokens: 3, total_tokens: 8 };
const REPLY = {
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'm',
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] }],
  usage: USAGE,
};

/** An upstream that has the Responses API: a whole reply, or the events of a stream. */
function responsesUpstream(): Promise<{ url: string; requests: number; close: () => Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      state.requests++;
      const body = JSON.parse(raw) as { stream?: boolean };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(REPLY));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (e: Record<string, unknown>) => res.write(`event: ${e.type as string}\ndata: ${JSON.stringify(e)}\n\n`);
      send({ type: 'response.created', sequence_number: 0, response: { ...REPLY, status: 'in_progress', output: [] } });
      send({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...REPLY.output[0], status: 'in_progress', content: [] } });
      send({ type: 'response.content_part.added', sequence_number: 2, output_index: 0, item_id: 'msg_1', content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      send({ type: 'response.output_text.delta', sequence_number: 3, output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'Hi ' });
      send({ type: 'response.output_text.delta', sequence_number: 4, output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'there' });
      send({ type: 'response.completed', sequence_number: 5, response: REPLY });
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        get requests() {
          return state.requests;
        },
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('the Responses API through the run gateway', function () {
  this.timeout(20_000);
  const dirs: string[] = [];
  const gateways: RunGateway[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function gateway(baseUrl: string, recordings = new Map<string, Record<string, unknown>>()) {
    const dir = mkdtempSync(join(tmpdir(), 'truce-gw-responses-'));
    dirs.push(dir);
    const records: LlmCallRecord[] = [];
    const executor = new LlmClient('executor', { baseUrl, model: 'm' }, createLlmServices({ env: {} }));
    const g = await RunGateway.start({ executor, prices: {}, budget: new Budget(), runDir: dir, recordings, replaying: recordings.size > 0, strict: false, secrets: [], onRecord: (r) => records.push(r) });
    gateways.push(g);
    const session = g.open({ taskId: 't1', prompts: PROMPTS });
    return { g, dir, records, session, sdk: new OpenAI({ baseURL: session.env.OPENAI_BASE_URL, apiKey: session.env.OPENAI_API_KEY, maxRetries: 0 }) };
  }

  it('forwards a whole reply and a stream, records usage and the agent, and replays both with no upstream call', async () => {
    const upstream = await responsesUpstream();
    try {
      const live = await gateway(upstream.url);
      const whole = await live.sdk.responses.create({ model: 'm', instructions: 'You are the critic.', input: 'judge this' });
      assert.equal(whole.output_text, 'Hi there');
      const stream = await live.sdk.responses.create({ model: 'm', instructions: 'You are the critic.', input: 'judge that', stream: true });
      let text = '';
      for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
      assert.equal(text, 'Hi there');
      const summaries = await live.session.finish();
      assert.deepEqual(summaries.map((s) => s.replyText), ['Hi there', 'Hi there'], 'replies are readable for linking steps');
      assert.deepEqual(live.records.map((r) => [r.agent, r.usage.inputTokens, r.usage.outputTokens, r.usage.estimated, r.error]), [
        ['critic', 5, 3, false, undefined],
        ['critic', 5, 3, false, undefined],
      ]);
      await live.g.close();
      assert.equal(upstream.requests, 2);

      const replay = await gateway(upstream.url, await readRecordings(live.dir));
      const again = await replay.sdk.responses.create({ model: 'm', instructions: 'You are the critic.', input: 'judge this' });
      assert.equal(again.output_text, 'Hi there');
      const replayedStream = replay.sdk.responses.stream({ model: 'm', instructions: 'You are the critic.', input: 'judge that' });
      const final = await replayedStream.finalResponse();
      assert.equal(final.output_text, 'Hi there');
      assert.equal(upstream.requests, 2, 'no upstream call on replay');
      assert.deepEqual(replay.records.map((r) => r.cached), [true, true]);
    } finally {
      await upstream.close();
    }
  });
});
