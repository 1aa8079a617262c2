/**
 * BCD names a step the way TRUCE does: its peer view of each round carries step ids and the
 * outcome, and for a failed task asks whether the decisive error lies in that round; the answer
 * goes through the shared pick. Without one, the weakest agent's worst turn stands.
 */
import { strict as assert } from 'node:assert';
import { createBcdMethod } from '../../../../src/core/credit/bcd';
import { bcdPeerMessages } from '../../../../src/core/credit/bcd/prompts/bcdPeer';
import { roundViews } from '../../../../src/core/credit/bcd/roundView';
import { importWhoWhenText } from '../../../../src/core/trajectory';
import { start, type FakeChatRequest, type FakeOpenAiServer } from '../../../support/fakeOpenAiServer';
import { makeContext, systemOf } from './fixtures';

/** The Coder errs at s3 and repeats the error later (s7, scored worst by the critic). */
function log() {
  const history = [
    { role: 'human', content: 'What is 12 / 4?' },
    { role: 'Orchestrator (-> Coder)', content: 'Compute 12 / 4.' },
    { role: 'Orchestrator (thought)', content: 'Waiting for the Coder.' },
    { role: 'Coder', content: 'It is 4, since 12 / 4 = 4.' },
    { role: 'Orchestrator (-> Coder)', content: 'Please double-check.' },
    { role: 'Coder', content: 'Checked.' },
    { role: 'Orchestrator (-> Coder)', content: 'Final check?' },
    { role: 'Coder', content: 'Definitely 4. WORST' },
    { role: 'Orchestrator (thought)', content: 'FINAL ANSWER: 4' },
  ];
  const [t] = importWhoWhenText(JSON.stringify({ history, question: 'What is 12 / 4?', ground_truth: '3', mistake_agent: 'Coder', mistake_step: '3' }), { source: 'hand-crafted/bcd.json' }).trajectories;
  return t!;
}

describe('BCD: the decisive error from the peer view', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  let peerPrompts: string[] = [];
  let withDecisive = true;

  before(async () => {
    server = await start({
      responder: (req: FakeChatRequest) => {
        const system = systemOf(req);
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        if (system.includes('[truce:bcd-critic]')) return { json: { score: /WORST/.test(req.lastUser) ? 0.05 : req.lastUser.includes('Contribution of Coder') ? 0.3 : 0.8, rationale: 'r' } };
        if (system.includes('[truce:bcd-peer]')) {
          peerPrompts.push(req.lastUser);
          const agents = [...req.lastUser.matchAll(/^### (\S+)/gm)].map((m) => m[1]!);
          const holdsS3 = /\[steps [^\]]*\bs3\b/.test(req.lastUser);
          return {
            json: {
              ratings: agents.map((agentId) => ({ agentId, score: agentId === 'Coder' ? 0.2 : 0.8, rationale: 'r' })),
              ...(withDecisive ? { decisive: holdsS3 ? { found: true, stepId: 's3', agent: 'Coder', confidence: 'high' } : { found: false } } : {}),
            },
          };
        }
        return { content: 'unexpected' };
      },
    });
  });
  after(() => server?.close());

  it('shows step ids, the outcome and the decisive question to the peer view of a failed task', () => {
    const t = log();
    const [view] = roundViews(t);
    const messages = bcdPeerMessages({ task: 'q', round: view!.round, outcome: { answer: '4', success: false }, contributions: view!.roles.map((u) => ({ agentId: u.agentId, text: u.text, stepIds: u.stepIds })) });
    const user = messages[1]!.content as string;
    assert.match(user, /\[steps s\d+(, s\d+)*\]/);
    assert.match(user, /## Outcome\n\nThe team's final answer, 4, was wrong\./);
    assert.match(user, /Name the decisive error/);
    const right = bcdPeerMessages({ task: 'q', round: 0, outcome: { success: true }, contributions: [{ agentId: 'A', text: 'x' }] });
    assert.doesNotMatch(right[1]!.content as string, /decisive error/);
  });

  it('marks each step of a turn that spans several steps', () => {
    const t = log();
    // Two entries of one agent in a row form one turn.
    t.steps[5] = { ...t.steps[5]!, round: t.steps[3]!.round };
    t.steps[4] = { ...t.steps[4]!, agentId: 'Coder', round: t.steps[3]!.round };
    const multi = roundViews(t).flatMap((v) => v.roles).find((u) => u.stepIds.length > 1);
    assert.ok(multi, 'the log has a turn of several steps');
    for (const id of multi.stepIds) assert.match(multi.text, new RegExp(`\\[${id}\\]\\n`));
  });

  it('blames the step the peer view named, not the later turn the critic scored worst', async () => {
    withDecisive = true;
    peerPrompts = [];
    const t = log();
    const report = await createBcdMethod({ options: { gradients: false } }).credit(makeContext(server.url), [t]);
    const blame = (report.details?.blame as Record<string, { agent: string; stepId: string }>)[t.taskId];
    assert.deepEqual(blame, { agent: 'Coder', stepId: 's3' });
    assert.ok(peerPrompts.length > 0);
  });

  it('falls back on the weakest agent\'s worst turn when no round holds the decisive error', async () => {
    withDecisive = false;
    const t = log();
    const report = await createBcdMethod({ options: { gradients: false } }).credit(makeContext(server.url), [t]);
    const blame = (report.details?.blame as Record<string, { agent: string; stepId: string }>)[t.taskId];
    assert.equal(blame?.agent, 'Coder');
    assert.equal(blame?.stepId, 's7');
  });
});
