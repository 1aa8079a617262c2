/**
 * noise.herring: roles admit harmless lapses that read like causes. They must change no answer
 * (scores are those of the same world without them), stay put when a prompt changes, and fool only
 * the suggestion replies that read an agent's text without a located blame.
 */
import { strict as assert } from 'node:assert';
import { BcdGradientSchema, bcdGradientMessages } from '../../../src/core/credit/bcd/prompts/bcdGradient';
import { buildPhiMessages, phiReplySchema } from '../../../src/core/credit/truce/prompts/phi';
import { buildPsiMessages, psiReplySchema, type CreditLine } from '../../../src/core/credit/truce/prompts/psi';
import type { ChatMessage } from '../../../src/core/llm';
import { herringsInOutput } from '../../../src/core/sim/evidence';
import { HERRINGS } from '../../../src/core/sim/world';
import { partitionTrajectory } from '../../../src/core/trajectory';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { parsePromptDocument } from '../../../src/core/units';
import type { FakeChatRequest } from '../../support/fakeOpenAiServer';
import { createSimResponder, promptFileText, World } from '../../support/sim';
import { predictScore, promptsFromRules, simulateTrajectory } from '../../support/sim/predict';
import { scenario } from './fixtures';

function request(messages: ChatMessage[], schema: string): FakeChatRequest {
  const plain = messages.map((m) => ({ role: m.role, content: String(m.content) }));
  return { seq: 1, model: 'fake-model', messages: plain, body: { model: 'fake-model', messages: plain }, headers: {}, jsonSchema: { name: schema, schema: {} }, lastUser: plain[plain.length - 1]?.content ?? '' };
}

describe('simulation world: harmless lapses (noise.herring)', function () {
  this.timeout(30_000);
  const tasks = { train: 60, val: 60, test: 60, maxSkills: 2 };
  const plain = new World(scenario({ tasks }));
  const world = new World(scenario({ tasks, noise: { critic: 0.3, suggestion: 0.3, herring: 0.4 } }));
  const planted = promptsFromRules(world, (a) => world.plantedRules(a));
  const trajectories = world.tasks.map((t) => simulateTrajectory(world, t, planted));
  const failed = trajectories.filter((t) => !t.outcome?.success);
  const herringRules = new Set(HERRINGS.map((h) => h.rule));
  const ask = (messages: ChatMessage[], schema: string) => {
    const sim = createSimResponder(world);
    const reply = sim.respond(request(messages, schema));
    assert.deepEqual(sim.refused, []);
    return (reply as { json: unknown }).json;
  };
  const unitsOf = (agent: string) => parsePromptDocument(promptFileText(world, agent, world.plantedRules(agent)), { uri: `prompts/${agent}.md`, defaultAgentId: agent }).agents.find((a) => a.id === agent)?.units ?? [];
  const psiOf = (t: Trajectory, agent: string, credit?: CreditLine[]) =>
    psiReplySchema.parse(
      ask(buildPsiMessages({ trajectory: t, agentId: agent, agentKind: 'role', units: unitsOf(agent), steps: t.steps.filter((s) => s.agentId === agent), ...(credit ? { credit } : {}), maxSuggestions: 3 }), 'truce_suggestions'),
    );
  const withLapse = (agent: string) => failed.filter((t) => t.steps.some((s) => s.agentId === agent && herringsInOutput(s.output).length > 0));

  it('admits lapses on about the set share of answering role replies and changes no answer', () => {
    const roleSteps = trajectories.flatMap((t) => t.steps.filter((s) => world.isRole(s.agentId) && !s.output.includes('I defer to the others')));
    const share = roleSteps.filter((s) => herringsInOutput(s.output).length > 0).length / roleSteps.length;
    assert.ok(share > 0.3 && share < 0.5, `share ${share}`);
    const fixed = promptsFromRules(world, (a) => world.intendedRules(a));
    for (const prompts of [planted, fixed]) {
      for (const t of world.tasks) assert.equal(predictScore(world, t, prompts), predictScore(plain, t, prompts), `task ${t.id}`);
    }
    assert.ok(!plain.tasks.some((t) => simulateTrajectory(plain, t, planted).steps.some((s) => herringsInOutput(s.output).length > 0)), 'no lapse at herring 0');
  });

  it('keeps a role\'s lapse on a task when its prompt changes', () => {
    const fixed = promptsFromRules(world, (a) => world.intendedRules(a));
    // Per task and answering role (round 1): its lapses. A role that answers under one prompt set
    // and defers under the other is left out; every other pair must keep its lapse.
    const lapses = (prompts: Record<string, string>) =>
      new Map(world.tasks.flatMap((t) => simulateTrajectory(world, t, prompts).steps.filter((s) => s.round === 1 && world.isRole(s.agentId) && !s.output.includes('I defer')).map((s) => [`${t.id}:${s.agentId}`, herringsInOutput(s.output).join()] as const)));
    const before = lapses(planted);
    const after = lapses(fixed);
    const both = [...before.keys()].filter((k) => after.has(k));
    assert.ok(both.length > 50, `${both.length} pairs answer under both prompt sets`);
    assert.ok(both.some((k) => before.get(k) !== ''), 'some pair has a lapse');
    for (const k of both) assert.equal(after.get(k), before.get(k), k);
  });

  it('Ψ without credit writes rules for lapses; Ψ given Φ\'s located blames never does', () => {
    const cases = withLapse('solver');
    assert.ok(cases.length >= 10, `${cases.length} failed tasks with a solver lapse`);
    const blind = cases.filter((t) => psiOf(t, 'solver').suggestions.some((s) => herringRules.has(s.newText ?? ''))).length;
    assert.ok(blind > 0, 'a blind Ψ took a lapse for a cause at least once');
    for (const t of cases) {
      const parts = partitionTrajectory(t);
      const phi = phiReplySchema.parse(ask(buildPhiMessages({ trajectory: t, parts, earlier: [], totalParts: parts.length }), 'truce_credit'));
      const credit: CreditLine[] = phi.parts.map((p) => ({ label: `part ${p.index}`, overall: p.overall, summary: p.summary, points: p.issues.map((i) => ({ kind: 'issue' as const, ...i })) }));
      const reply = psiOf(t, 'solver', credit);
      assert.ok(!reply.suggestions.some((s) => herringRules.has(s.newText ?? '')), `task ${t.taskId}: Ψ with credit wrote a lapse rule`);
    }
  });

  it('a BCD gradient with credit (which names the agent, not the step) takes a lapse in its agent\'s text for a cause', () => {
    const cases = withLapse('solver');
    const units = unitsOf('solver').map((u) => ({ id: u.id, text: u.text, locked: u.locked }));
    const fooled = cases.filter((t) => {
      const task = world.task(t.taskId);
      assert.ok(task);
      const reply = BcdGradientSchema.parse(
        ask(
          bcdGradientMessages({ task: task.input, reference: task.reference, outcomeScore: 0, agentId: 'solver', kind: 'role', credit: { value: 0.1, label: 'role credit' }, turns: t.steps.filter((s) => s.agentId === 'solver').map((s) => ({ round: s.round, text: s.output })), units, maxEdits: 3 }),
          'bcd_gradient',
        ),
      );
      return reply.edits.some((e) => herringRules.has(e.newText ?? ''));
    }).length;
    assert.ok(fooled / cases.length > 0.5, `${fooled} of ${cases.length}`);
  });
});
