import { strict as assert } from 'node:assert';
import { BcdCriticSchema, bcdCriticMessages } from '../../../src/core/credit/bcd/prompts/bcdCritic';
import { BcdGradientSchema, bcdGradientMessages } from '../../../src/core/credit/bcd/prompts/bcdGradient';
import { BcdPeerSchema, bcdPeerMessages } from '../../../src/core/credit/bcd/prompts/bcdPeer';
import { GbcInfluenceSchema, gbcInfluenceMessages } from '../../../src/core/credit/gbc/prompts/gbcInfluence';
import { GbcSuggestSchema, gbcSuggestMessages } from '../../../src/core/credit/gbc/prompts/gbcSuggest';
import { buildMergeMessages, mergeReplySchema } from '../../../src/core/optimize/prompts/merge';
import { buildPhiMessages, phiReplySchema } from '../../../src/core/credit/truce/prompts/phi';
import { buildGlobalRewriteMessages, globalRewriteReplySchema, type FeedbackLine } from '../../../src/core/optimize/prompts/globalRewrite';
import { buildPsiMessages, psiReplySchema, type CreditLine } from '../../../src/core/credit/truce/prompts/psi';
import { buildRewriteMessages, rewriteReplySchema } from '../../../src/core/optimize/prompts/rewrite';
import type { ChatMessage } from '../../../src/core/llm';
import { partitionTrajectory } from '../../../src/core/trajectory';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { parsePromptDocument, type PolicyUnit } from '../../../src/core/units';
import type { FakeChatRequest } from '../../support/fakeOpenAiServer';
import { blamesIn, causeKey, causesInOutput, createSimResponder, promptFileText, World, type Cause } from '../../support/sim';
import { simulateTrajectory, promptsFromRules } from '../../support/sim/predict';
import { scenario } from './fixtures';

function request(messages: ChatMessage[], schema?: string): FakeChatRequest {
  const plain = messages.map((m) => ({ role: m.role, content: String(m.content) }));
  return {
    seq: 1,
    model: 'fake-model',
    messages: plain,
    body: { model: 'fake-model', messages: plain },
    headers: {},
    ...(schema ? { jsonSchema: { name: schema, schema: {} } } : {}),
    lastUser: [...plain].reverse().find((m) => m.role === 'user')?.content ?? '',
  };
}

function unitsOf(world: World, agent: string, rules: readonly string[]): PolicyUnit[] {
  const doc = parsePromptDocument(promptFileText(world, agent, rules), { uri: `prompts/${agent}.md`, defaultAgentId: agent });
  return doc.agents.find((a) => a.id === agent)?.units ?? [];
}

/** Φ's issues of a reply, as blames. */
function phiBlames(reply: unknown): Cause[][] {
  return phiReplySchema.parse(reply).parts.map((p) => blamesIn(p.issues.map((i) => i.text).join('\n')));
}

describe('simulation world: optimizer-call replies', function () {
  // Thousands of replies built and checked in-process: CPU work that a loaded machine stretches.
  this.timeout(30_000);
  const big = scenario({ tasks: { train: 100, val: 100, test: 100, maxSkills: 2 } });
  const world = new World(big);
  const planted = promptsFromRules(world, (a) => world.plantedRules(a));
  const trajectories = world.tasks.map((t) => simulateTrajectory(world, t, planted));
  const failed = trajectories.filter((t) => !t.outcome?.success);
  const ask = (messages: ChatMessage[], schema: string) => {
    const sim = createSimResponder(world);
    const reply = sim.respond(request(messages, schema));
    assert.deepEqual(sim.refused, [], 'the call was recognised');
    assert.ok(typeof reply === 'object' && reply !== null && 'json' in reply, 'a JSON reply');
    return (reply as { json: unknown }).json;
  };
  const phiMessages = (t: Trajectory) => {
    const parts = partitionTrajectory(t);
    return buildPhiMessages({ trajectory: t, parts, earlier: [], totalParts: parts.length });
  };
  const psiInput = (t: Trajectory, agent: string, credit?: CreditLine[]) => ({
    trajectory: t,
    agentId: agent,
    agentKind: world.isRole(agent) ? 'role' : 'aggregator',
    units: unitsOf(world, agent, world.plantedRules(agent)),
    steps: t.steps.filter((s) => s.agentId === agent),
    ...(credit ? { credit } : {}),
    maxSuggestions: 3,
  });
  /** The credit lines Ψ would get from a Φ reply. */
  const creditFrom = (reply: unknown): CreditLine[] =>
    phiReplySchema.parse(reply).parts.map((p) => ({
      label: `part ${p.index}`,
      overall: p.overall,
      summary: p.summary,
      points: [...p.highlights.map((h) => ({ kind: 'highlight' as const, ...h })), ...p.issues.map((i) => ({ kind: 'issue' as const, ...i }))],
    }));

  it('the planted defects make a good share of the tasks fail', () => {
    assert.ok(failed.length > 60 && failed.length < 250, `${failed.length} of 300 fail`);
  });

  it('gives the same reply to the same request, and a reply that depends on the request', () => {
    const messages = phiMessages(failed[0]);
    assert.deepEqual(ask(messages, 'truce_credit'), ask(messages, 'truce_credit'));
    const psi = buildPsiMessages(psiInput(failed[0], 'solver', creditFrom(ask(messages, 'truce_credit'))));
    assert.deepEqual(ask(psi, 'truce_suggestions'), ask(psi, 'truce_suggestions'));
    // Over many tasks the noisy draws differ: the replies are not one constant.
    const replies = new Set(failed.slice(0, 40).map((t) => JSON.stringify(ask(phiMessages(t), 'truce_credit'))));
    assert.ok(replies.size > 20);
  });

  it('Φ blames exactly the true causes in about 1 − noise.critic of the parts', () => {
    let parts = 0;
    let right = 0;
    for (const t of trajectories) {
      const truthByPart = partitionTrajectory(t).map((p) => new Set(p.steps.flatMap((s) => causesInOutput(s.agentId, s.output)).map(causeKey)));
      phiBlames(ask(phiMessages(t), 'truce_credit')).forEach((blames, i) => {
        parts++;
        const said = new Set(blames.map(causeKey));
        if (said.size === truthByPart[i].size && [...said].every((k) => truthByPart[i].has(k))) right++;
      });
    }
    assert.equal(parts, 600);
    const rate = right / parts;
    // Binomial sd at n = 600, p = 0.7 is 0.019: ±0.06 is three sd, and the draws are seeded.
    assert.ok(Math.abs(rate - (1 - big.noise.critic)) < 0.06, `right-blame rate ${rate}`);
  });

  it('Ψ with true credit proposes the right fix in about 1 − noise.suggestion of the cases, anchored on a real unit id', () => {
    let cases = 0;
    let right = 0;
    const units = unitsOf(world, 'solver', world.plantedRules('solver'));
    const ids = new Set(units.map((u) => u.id));
    const units0 = world.skill('units');
    for (const t of failed.filter((x) => world.task(x.taskId)?.needs.includes('units'))) {
      const credit: CreditLine[] = [{ label: 'round 1', overall: -0.7, summary: 'went wrong', points: [{ kind: 'issue', text: `solver skipped the "units" check the problem needed, so it answered wrongly.`, stepIds: ['r1.solver'] }] }];
      const reply = psiReplySchema.parse(ask(buildPsiMessages(psiInput(t, 'solver', credit)), 'truce_suggestions'));
      cases++;
      const fix = reply.suggestions.find((s) => s.op === 'ADD' && s.newText === units0.rule);
      if (fix) {
        right++;
        assert.ok(fix.anchorUnitId && ids.has(fix.anchorUnitId), 'the ADD is anchored on a unit of the prompt shown');
      }
    }
    assert.ok(cases >= 60, `${cases} cases`);
    const rate = right / cases;
    assert.ok(Math.abs(rate - (1 - big.noise.suggestion)) < 0.15, `right-fix rate ${rate} over ${cases}`);
  });

  it('Ψ deletes a harmful unit by its id', () => {
    const harmful = world.scenario.planted.harmful[0];
    const units = unitsOf(world, 'checker', world.plantedRules('checker'));
    const target = units.find((u) => u.text === harmful.text);
    assert.ok(target, 'the harmful rule is a unit');
    const credit: CreditLine[] = [{ label: 'round 1', overall: -0.7, summary: 'went wrong', points: [{ kind: 'issue', text: `checker followed its rule "${harmful.text}", which made it answer wrongly.`, stepIds: ['r1.checker'] }] }];
    const deletes = failed.slice(0, 50).filter((t) => {
      const reply = psiReplySchema.parse(ask(buildPsiMessages(psiInput(t, 'checker', credit)), 'truce_suggestions'));
      return reply.suggestions.some((s) => s.op === 'DELETE' && s.targetUnitId === target.id);
    }).length;
    assert.ok(deletes >= 25, `${deletes} of 50 replies delete the harmful unit`);
  });

  it('critic noise carries into Ψ: a wrong blame yields an edit for the wrong cause, never the right fix', () => {
    const t = failed.find((x) => world.task(x.taskId)?.needs.includes('units'));
    assert.ok(t);
    const credit: CreditLine[] = [{ label: 'round 1', overall: -0.7, summary: 'x', points: [{ kind: 'issue', text: 'solver skipped the "constraints" check the problem needed, so it answered wrongly.', stepIds: ['r1.solver'] }] }];
    const reply = psiReplySchema.parse(ask(buildPsiMessages(psiInput(t, 'solver', credit)), 'truce_suggestions'));
    assert.ok(!reply.suggestions.some((s) => s.newText === world.skill('units').rule));
  });

  it('Ψ without credit finds the right fix far less often than with true credit', () => {
    const cases = failed.filter((x) => world.task(x.taskId)?.needs.includes('units'));
    const blind = cases.filter((t) => {
      const reply = psiReplySchema.parse(ask(buildPsiMessages(psiInput(t, 'solver')), 'truce_suggestions'));
      return reply.suggestions.some((s) => s.op === 'ADD' && s.newText === world.skill('units').rule);
    }).length;
    assert.ok(blind / cases.length < 0.45, `blind right-fix rate ${blind / cases.length}`);
  });

  /** A global-rewrite request for an agent's planted rules with the given feedback. */
  const rewriteOf = (agent: string, feedback: FeedbackLine[], noCredit = false) =>
    globalRewriteReplySchema.parse(
      ask(
        buildGlobalRewriteMessages({ agentId: agent, agentKind: world.isRole(agent) ? 'role' : 'aggregator', rules: world.plantedRules(agent).map((text) => ({ text, fixed: false })), feedback, noCredit, omitted: 0 }),
        'truce_global_rewrite',
      ),
    );
  const blame = 'solver skipped the "units" check the problem needed, so it answered wrongly.';

  it('global rewrite acts on the blames about its agent: the right fix in about 1 − noise.suggestion of the replies, and drift loses other rules', () => {
    let added = 0;
    let lost = 0;
    let kept = 0;
    const others = world.plantedRules('solver');
    for (let i = 0; i < 200; i++) {
      const reply = rewriteOf('solver', [{ taskId: `t${String(i).padStart(3, '0')}`, score: 0, success: false, text: blame }]);
      if (reply.rules.includes(world.skill('units').rule)) added++;
      for (const r of others) (reply.rules.includes(r) ? kept++ : lost++);
    }
    assert.ok(Math.abs(added / 200 - (1 - big.noise.suggestion)) < 0.1, `right-fix rate ${added / 200}`);
    // Untouched rules go with probability rewriteDrift (0.15 by default), a noise edit now and then takes one more.
    const lossRate = lost / (lost + kept);
    assert.ok(lossRate > 0.08 && lossRate < 0.3, `rule loss rate ${lossRate}`);
  });

  it('global rewrite ignores blames about other agents and, given nothing to act on, returns the list unchanged', () => {
    let changed = 0;
    for (let i = 0; i < 100; i++) {
      const reply = rewriteOf('checker', [{ taskId: `t${String(i).padStart(3, '0')}`, score: 0, success: false, text: blame }]);
      if (JSON.stringify(reply.rules) !== JSON.stringify(world.plantedRules('checker'))) changed++;
    }
    // Only the spurious edit (probability noise.suggestion / 3 = 0.1) changes anything.
    assert.ok(changed < 25, `${changed} of 100 changed`);
  });

  it('global rewrite without credit never finds the cause (no steps are shown): a generic edit at most', () => {
    let fixed = 0;
    let changed = 0;
    for (let i = 0; i < 100; i++) {
      const reply = rewriteOf('solver', [{ taskId: `t${String(i).padStart(3, '0')}`, score: 0, success: false }], true);
      if (reply.rules.includes(world.skill('units').rule)) fixed++;
      if (JSON.stringify(reply.rules) !== JSON.stringify(world.plantedRules('solver'))) changed++;
    }
    assert.equal(fixed, 0);
    assert.ok(changed > 5 && changed < 60, `${changed} of 100 changed`);
  });

  it('merge groups proposals for the same change and leaves lone ones out', () => {
    const rule = world.skill('units').rule;
    const reply = mergeReplySchema.parse(
      ask(
        buildMergeMessages('solver', [
          { index: 0, op: 'ADD', text: rule },
          { index: 1, op: 'ADD', text: 'Always check the units of the quantities.' },
          { index: 2, op: 'ADD', text: 'Be courteous to the other agents at all times.' },
          { index: 3, op: 'DELETE', target: 'solver.aaaaaaaaaa', text: '' },
        ]),
        'truce_merge',
      ),
    );
    assert.deepEqual(reply.groups, [{ members: [0, 1] }]);
  });

  it('rewrite turns an instruction about a skill into its rule', () => {
    const reply = rewriteReplySchema.parse(
      ask(buildRewriteMessages({ agentId: 'solver', op: 'ADD', instruction: 'Make the solver check units.', otherRules: world.plantedRules('solver') }), 'truce_rewrite'),
    );
    assert.equal(reply.text, world.skill('units').rule);
  });

  it('BCD critic and peer score culprits low and right answers high, with about noise.critic flipped', () => {
    let total = 0;
    let flipped = 0;
    for (const t of trajectories.slice(0, 150)) {
      const task = world.task(t.taskId);
      assert.ok(task);
      const round1 = t.steps.filter((s) => s.round === 1 && s.kind === 'llm' && world.isRole(s.agentId));
      const peer = BcdPeerSchema.parse(
        ask(bcdPeerMessages({ task: task.input, reference: task.reference, round: 1, contributions: round1.map((s) => ({ agentId: s.agentId, text: s.output })) }), 'bcd_peer'),
      );
      assert.deepEqual(peer.ratings.map((r) => r.agentId), round1.map((s) => s.agentId));
      for (const s of round1) {
        const critic = BcdCriticSchema.parse(ask(bcdCriticMessages({ task: task.input, reference: task.reference, agentId: s.agentId, kind: 'role', round: 1, text: s.output }), 'bcd_critic'));
        const culprit = causesInOutput(s.agentId, s.output).length > 0;
        const right = /^Answer: ([A-D])/m.exec(s.output)?.[1] === task.reference;
        if (!culprit && !right) continue;
        total++;
        if ((culprit && critic.score > 0.5) || (right && critic.score < 0.5)) flipped++;
      }
    }
    assert.ok(total > 150);
    assert.ok(Math.abs(flipped / total - big.noise.critic) < 0.08, `flipped ${flipped / total}`);
  });

  it('BCD gradient and GBC suggest fix the causes the agent\'s own text shows, with real unit ids', () => {
    const t = failed.find((x) => world.task(x.taskId)?.needs.includes('units'));
    assert.ok(t);
    const task = world.task(t.taskId);
    assert.ok(task);
    const units = unitsOf(world, 'solver', world.plantedRules('solver')).map((u) => ({ id: u.id, text: u.text, locked: u.locked }));
    const own = t.steps.filter((s) => s.agentId === 'solver');
    let bcdFixes = 0;
    let gbcFixes = 0;
    for (let variant = 0; variant < 30; variant++) {
      const gradient = BcdGradientSchema.parse(
        ask(
          bcdGradientMessages({
            task: task.input,
            reference: task.reference,
            outcomeScore: 0,
            agentId: 'solver',
            kind: 'role',
            credit: { value: 0.1 + variant / 1000, label: 'role credit' },
            turns: own.map((s) => ({ round: s.round, text: s.output })),
            units,
            maxEdits: 2,
          }),
          'bcd_gradient',
        ),
      );
      if (gradient.edits.some((e) => e.op === 'ADD' && e.newText === world.skill('units').rule && units.some((u) => u.id === e.anchorUnitId))) bcdFixes++;
      const suggest = GbcSuggestSchema.parse(
        ask(
          gbcSuggestMessages({
            task: task.input,
            agentId: 'solver',
            loss: `The final output scored 0.00 out of 1 (variant ${variant}).`,
            chain: [...own.map((s) => ({ stepId: s.id, agentId: 'solver', text: s.output, own: true })), { stepId: 'final', agentId: 'aggregator', text: 'Final answer: X', own: false }],
            units,
            maxEdits: 2,
          }),
          'gbc_suggestions',
        ),
      );
      if (suggest.edits.some((e) => e.op === 'ADD' && e.newText === world.skill('units').rule)) gbcFixes++;
    }
    assert.ok(bcdFixes >= 15 && gbcFixes >= 15, `bcd ${bcdFixes}/30, gbc ${gbcFixes}/30`);
  });

  it('a BCD gradient asked without credit finds the cause about as rarely as Ψ without credit (1/|agents| of the time)', () => {
    const cases = failed.filter((x) => world.task(x.taskId)?.needs.includes('units')).slice(0, 120);
    const units = unitsOf(world, 'solver', world.plantedRules('solver')).map((u) => ({ id: u.id, text: u.text, locked: u.locked }));
    let fixes = 0;
    for (const t of cases) {
      const task = world.task(t.taskId);
      assert.ok(task);
      const gradient = BcdGradientSchema.parse(
        ask(
          bcdGradientMessages({
            task: task.input,
            reference: task.reference,
            outcomeScore: 0,
            agentId: 'solver',
            kind: 'role',
            turns: t.steps.filter((s) => s.agentId === 'solver').map((s) => ({ round: s.round, text: s.output })),
            units,
            maxEdits: 3,
          }),
          'bcd_gradient',
        ),
      );
      if (gradient.edits.some((e) => e.op === 'ADD' && e.newText === world.skill('units').rule)) fixes++;
    }
    // Suspected with 1/4, then the right fix with 0.7 (when the solver's own text shows the skip): at most ≈ 0.18.
    const rate = fixes / cases.length;
    assert.ok(rate > 0.03 && rate < 0.3, `blind gradient right-fix rate ${rate} over ${cases.length}`);
  });

  it('GBC influence weighs the blocks whose answer the aggregator carried', () => {
    const t = trajectories.find((x) => x.steps.some((s) => s.id === 'r1.agg' && /^Leading answer: [A-D]/.test(s.output)));
    assert.ok(t);
    const agg = t.steps.find((s) => s.id === 'r1.agg');
    assert.ok(agg);
    const preds = t.steps.filter((s) => agg.reads.includes(s.id));
    const reply = GbcInfluenceSchema.parse(
      ask(gbcInfluenceMessages({ agentId: agg.agentId, output: agg.output, blocks: preds.map((p) => ({ blockId: p.id, agentId: p.agentId, text: p.output })) }), 'gbc_influence'),
    );
    assert.deepEqual(reply.blocks.map((b) => b.blockId), preds.map((p) => p.id));
  });

  it('refuses an unknown optimizer call with a 500 that names it', () => {
    const sim = createSimResponder(world);
    const reply = sim.respond(request([{ role: 'system', content: 'something new' }, { role: 'user', content: 'hello' }], 'brand_new_call'));
    assert.ok(typeof reply === 'object' && 'error' in reply);
    assert.equal(reply.error.status, 500);
    assert.match(reply.error.message, /brand_new_call/);
    assert.equal(sim.refused.length, 1);
  });
});
