/**
 * The gateway between a user's MAS and its model, driven by the official `openai` SDK as a MAS
 * would use it: plain and streamed completions, tool calls, the token, and faults that must lose
 * no record and count no call twice.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { startGateway, type Gateway } from '../../../src/core/gateway';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';

/** An upstream that streams: two content pieces, a tool call in two parts, usage, [DONE] (or a cut). */
function streamingUpstream(mode: { cut?: boolean } = {}): Promise<{ url: string; close: () => Promise<void>; seen: Array<Record<string, unknown>> }> {
  const seen: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push(body);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] });
      send({ ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] });
      // Let the first chunks reach the gateway, then drop the connection mid-stream.
      if (mode.cut) return void setTimeout(() => res.destroy(), 50);
      send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'look', arguments: '{"q":' } }] }, finish_reason: null }] });
      send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }, finish_reason: 'tool_calls' }] });
      send({ ...base, choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } });
      res.write('data: [DONE]\n\n');
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe('the gateway between a MAS and its model', function () {
  this.timeout(20_000);
  let gateway: Gateway | undefined;
  let fake: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await gateway?.close();
    await fake?.close();
    gateway = undefined;
    fake = undefined;
  });

  it('forwards a completion with the real key, hands the MAS only its token, and records the call once', async () => {
    fake = await start({ responder: () => ({ content: 'It is 4.' }) });
    gateway = await startGateway({ upstream: { baseUrl: fake.url, apiKey: 'sk-real-key' } });
    const client = new OpenAI({ baseURL: gateway.url, apiKey: gateway.token, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: '2+2?' }] }, { headers: { 'x-truce-agent': 'solver', 'x-truce-task': 't7' } });
    assert.equal(reply.choices[0]?.message.content, 'It is 4.');
    assert.equal(gateway.calls.length, 1);
    const call = gateway.calls[0]!;
    assert.deepEqual([call.agent, call.task, call.model, call.status, call.stream], ['solver', 't7', 'fake-model', 200, false]);
    assert.ok(call.usage.prompt > 0 && call.usage.completion > 0);
    assert.equal(fake.chatRequests()[0]?.headers.authorization, 'Bearer sk-real-key');
    assert.doesNotMatch(JSON.stringify(call), /sk-real-key/);
  });

  it('passes a stream through as it comes, tool calls included, and records it whole with its usage', async () => {
    const upstream = await streamingUpstream();
    try {
      gateway = await startGateway({ upstream: { baseUrl: upstream.url } });
      const client = new OpenAI({ baseURL: gateway.url, apiKey: gateway.token, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }] });
      let text = '';
      let args = '';
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      }
      assert.deepEqual([text, args], ['Hello', '{"q":"x"}']);
      assert.deepEqual(upstream.seen[0]?.stream_options, { include_usage: true });
      const call = gateway.calls[0]!;
      assert.deepEqual(call.usage, { prompt: 11, completion: 7 });
      assert.equal(call.error, undefined);
      const message = (call.response as { choices: Array<{ message: { content: string; tool_calls: Array<{ function: { name: string; arguments: string } }> } }> }).choices[0]!.message;
      assert.equal(message.content, 'Hello');
      assert.deepEqual(message.tool_calls[0]?.function, { name: 'look', arguments: '{"q":"x"}' });
    } finally {
      await upstream.close();
    }
  });

  it('refuses a request without the run\'s token with 401, and records nothing', async () => {
    fake = await start();
    gateway = await startGateway({ upstream: { baseUrl: fake.url } });
    const stranger = new OpenAI({ baseURL: gateway.url, apiKey: 'someone-else', maxRetries: 0 });
    await assert.rejects(stranger.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.AuthenticationError);
    assert.equal(gateway.calls.length, 0);
    assert.equal(fake.chatRequests().length, 0);
  });

  it('records an upstream 500 and a dropped stream each once, and passes the status on', async () => {
    fake = await start({ faults: { script: ['server-error'] } });
    gateway = await startGateway({ upstream: { baseUrl: fake.url } });
    const client = new OpenAI({ baseURL: gateway.url, apiKey: gateway.token, maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.InternalServerError);
    assert.deepEqual(gateway.calls.map((c) => [c.status, /^upstream 500/.test(c.error ?? '')]), [[500, true]]);
    await gateway.close();
    const upstream = await streamingUpstream({ cut: true });
    try {
      const calls: unknown[] = [];
      gateway = await startGateway({ upstream: { baseUrl: upstream.url }, onCall: (r) => calls.push(r) });
      const streaming = new OpenAI({ baseURL: gateway.url, apiKey: gateway.token, maxRetries: 0 });
      await assert.rejects(async () => {
        for await (const _ of await streaming.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true })) void _;
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(calls.length, 1);
      assert.match(gateway.calls[0]?.error ?? '', /stream (ended before \[DONE\]|broke)/);
    } finally {
      await upstream.close();
    }
  });

  it('serves a MAS process that knows nothing but OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
    fake = await start({ responder: () => ({ content: 'Answer: B' }) });
    gateway = await startGateway({ upstream: { baseUrl: fake.url, apiKey: 'sk-real-key' } });
    const script = `
      const OpenAI = require('openai');
      const client = new OpenAI();
      client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'pick' }] })
        .then((r) => { process.stdout.write(r.choices[0].message.content); })
        .catch((e) => { process.stderr.write(String(e)); process.exit(1); });`;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '', OPENAI_BASE_URL: gateway!.url, OPENAI_API_KEY: gateway!.token } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'Answer: B');
    assert.equal(gateway.calls.length, 1);
    assert.ok(gateway.calls[0]!.usage.completion > 0);
  });
});
