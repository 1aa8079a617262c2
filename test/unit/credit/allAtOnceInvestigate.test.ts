/**
 * The all-at-once baseline on a log too long for one prompt: the model investigates it over a few
 * turns (index, reads, searches) instead of seeing every step cut to a stub.
 */
import { strict as assert } from 'node:assert';
import { createAllAtOnceMethod, type AllAtOnceDetails } from '../../../src/core/credit/allAtOnce';
import { INVESTIGATE_MARKER, MAX_TURNS } from '../../../src/core/credit/allAtOnce/investigate';
import { importWhoWhenText, type Trajectory } from '../../../src/core/trajectory';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { makeContext, systemOf } from './bcd/fixtures';

/** 60 long steps; the Coder's step s36 holds the mistake deep inside its output. */
function longLog(): Trajectory {
  const history = [{ role: 'human', content: 'How many legs do 17 dogs have?' }];
  for (let i = 1; i < 60; i++) {
    const agent = i % 3 === 0 ? 'Coder' : i % 3 === 1 ? 'Orchestrator (thought)' : 'WebSurfer';
    const filler = `${agent} notes for step ${i}. `.repeat(60);
    history.push({ role: agent, content: i === 36 ? `${filler}\nI multiply 17 by 3 legs, so the answer is 51.\n${filler}` : filler });
  }
  const [t] = importWhoWhenText(JSON.stringify({ history, question: 'How many legs do 17 dogs have?', ground_truth: '68', mistake_agent: 'Coder', mistake_step: '36' }), { source: 'hand-crafted/long.json' }).trajectories;
  return t!;
}

describe('all-at-once: investigation mode for a log that does not fit', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  let script: (req: FakeChatRequest, turn: number) => FakeReply;
  const requests: FakeChatRequest[] = [];

  before(async () => {
    server = await start({
      responder: (req) => {
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        if (!systemOf(req).includes(INVESTIGATE_MARKER)) return { content: 'unexpected: the whole log was sent' };
        requests.push(req);
        return script(req, req.messages.filter((m) => m.role === 'assistant').length + 1);
      },
    });
  });
  after(() => server?.close());

  async function run(reply: typeof script) {
    script = reply;
    requests.length = 0;
    const context = makeContext(server.url);
    context.config.optimizer.contextTokens = 8_000;
    const t = longLog();
    const report = await createAllAtOnceMethod().credit(context, [t]);
    return { t, details: report.details as unknown as AllAtOnceDetails };
  }

  it('shows an index of every step, answers reads and searches, and takes the answer', async () => {
    const { t, details } = await run((req, turn) => {
      if (turn === 1) return { json: { action: 'search', text: 'multiply 17' } };
      if (turn === 2) {
        const ids = /Steps containing "multiply 17": ([^.]+)\./.exec(req.lastUser)?.[1]?.split(', ') ?? [];
        return { json: { action: 'read', stepIds: ids } };
      }
      return { json: { action: 'answer', decisive: { found: true, stepId: 's36', agent: 'Coder', reason: 'used 3 legs per dog', confidence: 0.8 } } };
    });
    const first = requests[0]!.messages.map((m) => m.content).join('\n');
    for (const step of t.steps) assert.match(first, new RegExp(`^${step.id} · ${step.agentId} `, 'm'));
    assert.match(requests[1]!.lastUser, /Steps containing "multiply 17": s36\./);
    assert.match(requests[2]!.lastUser, /<step id="s36"[^>]*>[\s\S]*I multiply 17 by 3 legs/);
    assert.deepEqual(details.blame[t.taskId] && [details.blame[t.taskId]!.agent, details.blame[t.taskId]!.stepId], ['Coder', 's36']);
    assert.deepEqual(details.investigated[t.taskId], { turns: 3, read: ['s36'] });
  });

  it('gives no pick, with a reason, when the model never answers', async () => {
    const { t, details } = await run(() => ({ json: { action: 'read', stepIds: ['s1'] } }));
    assert.equal(requests.length, MAX_TURNS);
    assert.match(requests.at(-1)!.lastUser, /last turn/);
    assert.equal(details.blame[t.taskId]?.source, 'none');
    assert.equal(details.blame[t.taskId]?.stepId, undefined);
  });
});
