/**
 * The simulation world's side of intervention: Φ's answer to the decisive-error question and the
 * optimizer's correction of one step ("what should this agent have said here?"). A truthful Φ names
 * the first step that shows a cause; a noisy one names a step that shows none, never the truth by
 * accident. A correction repairs a step that shows a cause and leaves a sound step as it was.
 */
import { strict as assert } from 'node:assert';
import { buildCorrectionMessages } from '../../../src/core/intervene/prompts/correction';
import { buildPhiMessages, phiReplySchema } from '../../../src/core/credit/truce/prompts/phi';
import type { ChatMessage } from '../../../src/core/llm';
import { aggregatorMessage, roleMessage } from '../../../src/core/mas/roundsMessages';
import { partitionTrajectory } from '../../../src/core/trajectory';
import type { Step, Trajectory } from '../../../src/core/trajectory/schema';
import { causesInOutput, createSimResponder, World } from '../../support/sim';
import { simulateTrajectory, promptsFromRules } from '../../support/sim/predict';
import { scenario } from './fixtures';

function ask(world: World, messages: ChatMessage[], schema: string): unknown {
  const sim = createSimResponder(world);
  const plain = messages.map((m) => ({ role: m.role, content: String(m.content) }));
  const reply = sim.respond({ model: 'fake-model', messages: plain, jsonSchema: { name: schema, schema: {} } });
  assert.deepEqual(sim.refused, [], 'the call was recognised');
  return (reply as { json: unknown }).json;
}

describe('simulation world: decisive error and correction replies', function () {
  this.timeout(30_000);
  const setup = (critic: number) => {
    const world = new World(scenario({ noise: { critic, suggestion: 0 }, tasks: { train: 60, val: 1, test: 1, maxSkills: 2 } }));
    const planted = promptsFromRules(world, (a) => world.plantedRules(a));
    const failed = world.tasks.map((t) => simulateTrajectory(world, t, planted)).filter((t) => t.outcome?.success === false);
    assert.ok(failed.length >= 5, 'the world fails some tasks');
    return { world, failed };
  };
  const decisiveOf = (world: World, t: Trajectory) => {
    const parts = partitionTrajectory(t);
    return phiReplySchema.parse(ask(world, buildPhiMessages({ trajectory: t, parts, earlier: [], totalParts: parts.length }), 'truce_credit')).decisive;
  };
  const shows = (s: Step | undefined) => s !== undefined && causesInOutput(s.agentId, s.output).length > 0;

  it('a truthful Φ names the first step that shows a cause; a noisy one names a step that shows none', () => {
    const truthful = setup(0);
    for (const t of truthful.failed) {
      const first = t.steps.find(shows);
      const decisive = decisiveOf(truthful.world, t);
      if (first) assert.deepEqual([decisive?.found, decisive?.stepId, decisive?.agent], [true, first.id, first.agentId], t.taskId);
      else assert.equal(decisive?.found, false, t.taskId);
    }
    const noisy = setup(1);
    let decoys = 0;
    for (const t of noisy.failed) {
      const decisive = decisiveOf(noisy.world, t);
      if (!decisive?.found) continue;
      decoys++;
      assert.ok(!shows(t.steps.find((s) => s.id === decisive.stepId)), `${t.taskId}: a decoy never shows a cause`);
    }
    assert.ok(decoys > 0);
  });

  it('a correction repairs a step that shows a cause and leaves a sound one as it was', () => {
    const { world, failed } = setup(0);
    const planted = promptsFromRules(world, (a) => world.plantedRules(a));
    let repaired = 0;
    let kept = 0;
    for (const t of failed) {
      const task = world.task(t.taskId)!;
      for (const step of t.steps) {
        const facts = { task: task.input, round: step.round ?? 1, rounds: world.scenario.rounds };
        const roundRoles = t.steps.filter((s) => s.round === step.round && world.isRole(s.agentId));
        const user = world.isRole(step.agentId) ? roleMessage(facts) : step.kind === 'aggregate' ? aggregatorMessage(facts, roundRoles.map((s) => ({ agentId: s.agentId, output: s.output }))) : undefined;
        if (user === undefined) continue;
        const messages = [{ role: 'system', text: planted[step.agentId] ?? '' }, { role: 'user', text: user }];
        const reply = (ask(world, buildCorrectionMessages({ task: task.input, agentId: step.agentId, messages, original: step.output }), 'truce_correction') as { reply: string }).reply;
        assert.equal(causesInOutput(step.agentId, reply).length, 0, 'a corrected step shows no cause');
        if (shows(step)) {
          // Misled on a task outside its skills, a role should have deferred; within them, done the check.
          const expected = world.relevantSkills(step.agentId, task).length ? new RegExp(`^Answer: ${task.reference}\\n`) : /I defer to the others/;
          assert.match(reply, expected, `${t.taskId} ${step.id}`);
          repaired++;
        } else if (!world.isRole(step.agentId) || !/Answer: /.test(step.output)) {
          // The aggregator of this scenario has no harmful rule; a role with nothing to say stays silent.
          assert.equal(reply, step.output, `${t.taskId} ${step.id}`);
          kept++;
        }
      }
    }
    assert.ok(repaired > 0 && kept > 0);
  });
});
