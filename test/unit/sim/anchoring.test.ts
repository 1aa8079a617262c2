/**
 * scenario.anchoring: from round 2 on, a role may go along with the shared state's leading answer.
 * Then the step that made a wrong answer lead round 1 is the one whose repair saves the task, which
 * the default world (every round answered afresh, the last one deciding) never shows.
 */
import { strict as assert } from 'node:assert';
import { causesInOutput } from '../../../src/core/sim/evidence';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { World } from '../../support/sim';
import { promptsFromRules, simulateTrajectory } from '../../support/sim/predict';
import { scenario } from './fixtures';

const tasks = { train: 60, val: 60, test: 60, maxSkills: 2 };

/** The first role step whose words show a cause, and the same agent's step one round later. */
function culprit(t: Trajectory): { first: string; repeat: string } | undefined {
  const first = t.steps.find((s) => s.round === 1 && causesInOutput(s.agentId, s.output).length > 0);
  return first && { first: first.id, repeat: `r2.${first.agentId}` };
}

describe('simulation world: anchoring on the shared state', function () {
  this.timeout(30_000);
  const fresh = new World(scenario({ tasks }));
  const anchored = new World(scenario({ tasks, anchoring: 1 }));
  const planted = promptsFromRules(fresh, (a) => fresh.plantedRules(a));
  const fixed = promptsFromRules(fresh, (a) => fresh.intendedRules(a));

  it('is off by default, and at 1 makes every answering role of round 2 repeat round 1\'s lead', () => {
    assert.equal(fresh.scenario.anchoring, 0);
    let checked = 0;
    for (const task of anchored.tasks) {
      const t = simulateTrajectory(anchored, task, planted);
      const lead = /^Leading answer: ([A-D])/.exec(t.steps.find((s) => s.id === 'r1.agg')?.output ?? '')?.[1];
      const answering = t.steps.filter((s) => s.round === 2 && anchored.isRole(s.agentId) && !s.output.includes('I defer'));
      if (!lead) continue;
      for (const s of answering) assert.match(s.output, new RegExp(`^Answer: ${lead}\\b`), `${task.id} ${s.id}`);
      checked += answering.length;
    }
    // The loop checks only tasks whose first round has a lead: make sure there were such steps.
    assert.ok(checked >= anchored.tasks.length, `round-2 answers checked: ${checked}`);
    // With every defect mended there is no mistake to carry.
    assert.ok(anchored.tasks.every((task) => simulateTrajectory(anchored, task, fixed).outcome?.success));
  });

  it('makes the round-1 culprit, not its repetition, the step whose repair saves a failed task', () => {
    const right = (task: { reference: string }) => `Answer: ${task.reference}\nChecks: done, and the answer holds.\nConfidence: 0.7`;
    const saved = (world: World, taskIndex: number, stepId: string) => {
      const task = world.tasks[taskIndex];
      return simulateTrajectory(world, task, planted, 'sim', { [stepId]: right(task) }).outcome?.success === true;
    };
    const tally = { anchored: { first: 0, repeat: 0, failed: 0 }, fresh: { first: 0, repeat: 0, failed: 0 } };
    for (const [name, world] of [['anchored', anchored], ['fresh', fresh]] as const) {
      world.tasks.forEach((task, i) => {
        const t = simulateTrajectory(world, task, planted);
        const c = !t.outcome?.success ? culprit(t) : undefined;
        if (!c) return;
        tally[name].failed += 1;
        if (saved(world, i, c.first)) tally[name].first += 1;
        if (saved(world, i, c.repeat)) tally[name].repeat += 1;
      });
    }
    assert.ok(tally.anchored.failed >= 5 && tally.fresh.failed >= 5, JSON.stringify(tally));
    assert.ok(tally.anchored.first > tally.anchored.repeat, `anchored: ${JSON.stringify(tally.anchored)}`);
    assert.equal(tally.fresh.first, 0, `fresh: ${JSON.stringify(tally.fresh)}`);
    assert.ok(tally.fresh.repeat > 0, `fresh: ${JSON.stringify(tally.fresh)}`);
  });
});
