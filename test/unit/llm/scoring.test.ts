/**
 * Scoring a given text (no generation): the route an endpoint offers is probed once and cached,
 * the two routes send what vLLM / llama.cpp expect, and the score is the continuation's
 * log-likelihood under the fake's copy model, so it moves with the input.
 */
import { strict as assert } from 'node:assert';
import { scoreContinuation, scoringRoute } from '../../../src/core/llm';
import { DiskResponseCache } from '../../../src/core/llm/responseCache';
import { scoreFromEcho, scoreFromPromptLogprobs, transcriptPrefix } from '../../../src/core/llm/scoringWire';
import { fakeScoringTokens, start, type FakeOpenAiServer, type FakeScoring } from '../../support/fakeOpenAiServer';
import { makeHarness, tempDir } from './helpers';

const CONTEXT = { templateVersion: 't/1', context: { phase: 'credit' } };
const FACTS = [{ role: 'user' as const, content: 'The capital of Freedonia is Zembla. Answer briefly.' }];
const BARE = [{ role: 'user' as const, content: 'Answer briefly.' }];
const OUTPUT = 'The capital is Zembla.';

/** What the fake's copy model gives `continuation` after `prefix` (the prefix's tokens set the counts). */
function expectedScore(prefix: string, continuation: string): number {
  return fakeScoringTokens(prefix + continuation)
    .filter((t) => t.offset + t.text.length > prefix.length && t.logprob !== null)
    .reduce((n, t) => n + (t.logprob as number), 0);
}

describe('scoring a given continuation', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  afterEach(() => server?.close());
  const serve = async (scoring?: FakeScoring) => {
    server = await start({ ...(scoring ? { scoring } : {}), responder: () => 'OK' });
    return makeHarness({ baseUrl: server.url });
  };

  it('prompt_logprobs: probed once, sends the continuation as an open assistant turn, sums its tokens', async () => {
    const { client } = await serve({ promptLogprobs: true, echo: true });
    assert.equal(await scoringRoute(client), 'prompt-logprobs');
    assert.equal(await scoringRoute(client), 'prompt-logprobs');
    assert.equal(server.requests.length, 1, 'the probe runs once per endpoint');
    const score = await scoreContinuation(client, FACTS, OUTPUT, 'prompt-logprobs', CONTEXT);
    const sent = server.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.prompt_logprobs, 0);
    assert.equal(sent.add_generation_prompt, false);
    assert.equal(sent.continue_final_message, true);
    assert.deepEqual((sent.messages as Array<{ role: string; content: string }>).at(-1), { role: 'assistant', content: OUTPUT });
    const prefix = `<|user|>\n${FACTS[0].content}\n<|assistant|>\n`;
    assert.ok(score);
    assert.equal(score.tokens, fakeScoringTokens(OUTPUT).length);
    assert.ok(Math.abs(score.logprob - expectedScore(prefix, OUTPUT)) < 1e-9, `${score.logprob} vs ${expectedScore(prefix, OUTPUT)}`);
  });

  it('echo: used when prompt_logprobs is absent, on /v1/completions with echo and logprobs', async () => {
    const { client } = await serve({ echo: true });
    assert.equal(await scoringRoute(client), 'echo');
    const score = await scoreContinuation(client, FACTS, OUTPUT, 'echo', CONTEXT);
    const last = server.requests.at(-1)!;
    assert.equal(last.path, '/v1/completions');
    const body = last.body as Record<string, unknown>;
    assert.equal(body.echo, true);
    assert.equal(body.prompt, transcriptPrefix(FACTS) + OUTPUT);
    assert.ok(score);
    assert.ok(Math.abs(score.logprob - expectedScore(transcriptPrefix(FACTS), OUTPUT)) < 1e-9);
  });

  it('the score depends on the input: the output is less likely without the facts it repeats', async () => {
    const { client } = await serve({ promptLogprobs: true });
    const withFacts = await scoreContinuation(client, FACTS, OUTPUT, 'prompt-logprobs', CONTEXT);
    const without = await scoreContinuation(client, BARE, OUTPUT, 'prompt-logprobs', CONTEXT);
    assert.ok(withFacts && without);
    assert.ok(withFacts.logprob - without.logprob > 1, `${withFacts.logprob} vs ${without.logprob}`);
  });

  it('no route on a server that offers neither (ignored prompt_logprobs, 404 on /completions)', async () => {
    const { client } = await serve();
    assert.equal(await scoringRoute(client), undefined);
    assert.deepEqual(server.requests.map((r) => r.status), [200, 404]);
    assert.equal(await scoringRoute(client), undefined);
    assert.equal(server.requests.length, 2, 'both answers are cached');
  });

  it('a recorded score replays from the response cache without the network', async () => {
    const dir = tempDir('score-cache');
    try {
      const first = await serve({ promptLogprobs: true });
      const cache = new DiskResponseCache(dir.path);
      const recording = makeHarness({ baseUrl: server.url }, { cache, cacheMode: 'read-write' });
      const recorded = await scoreContinuation(recording.client, FACTS, OUTPUT, 'prompt-logprobs', CONTEXT);
      assert.ok(first && recorded);
      const before = server.requests.length;
      const replaying = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path), cacheMode: 'replay' });
      assert.deepEqual(await scoreContinuation(replaying.client, FACTS, OUTPUT, 'prompt-logprobs', CONTEXT), recorded);
      assert.equal(server.requests.length, before);
      // The probe of a replayed run finds its recording too; an unrecorded route reads as absent.
      await scoringRoute(recording.client);
      const replayProbe = makeHarness({ baseUrl: server.url }, { cache: new DiskResponseCache(dir.path), cacheMode: 'replay' });
      assert.equal(await scoringRoute(replayProbe.client), 'prompt-logprobs');
    } finally {
      dir.remove();
    }
  });

  it('reads nothing from answers it cannot place', () => {
    assert.equal(scoreFromPromptLogprobs(undefined, 'x'), undefined);
    assert.equal(scoreFromPromptLogprobs([null, { 1: { logprob: -1, decoded_token: 'abc' } }], 'zzz'), undefined, 'the continuation is not in the decoded tokens');
    assert.deepEqual(scoreFromPromptLogprobs([null, { 1: { logprob: -1, decoded_token: 'ab' } }, { 2: { logprob: -2, decoded_token: ' c' } }], ' c'), { logprob: -2, tokens: 1 });
    assert.equal(scoreFromEcho({ token_logprobs: [-1], text_offset: [0, 1] }, 0, 1), undefined, 'mismatched arrays');
    assert.deepEqual(scoreFromEcho({ token_logprobs: [null, -1, -2, -3], text_offset: [0, 3, 5, 9] }, 5, 4), { logprob: -2, tokens: 1 });
    // A token holding the space before the continuation and its first word belongs to it.
    assert.deepEqual(scoreFromEcho({ tokens: ['a', ' b', ' c'], token_logprobs: [null, -1, -2], text_offset: [0, 1, 3] }, 2, 4), { logprob: -3, tokens: 2 });
  });
});
