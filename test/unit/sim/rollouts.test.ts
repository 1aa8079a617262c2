import { strict as assert } from 'node:assert';
import { World } from '../../support/sim';
import { worldPerTest } from '../../support/sim/worldPerTest';
import { predictScore, promptsFromRules } from '../../support/sim/predict';
import { meanOver, runWorld } from '../../support/sim/simRun';
import { scenario } from './fixtures';

describe('simulation world: rollouts of the rounds MAS through runMas', function () {
  // Whole runs of 30 tasks × 9 calls over loopback HTTP: a world just large enough for every
  // defect to meet tasks of its own. Two runs take ~4 s on a quiet machine; at a load of 22 on
  // two cores two of these tests passed 60 s, so the limit is the one the other whole-run sim
  // tests have.
  this.timeout(180_000);
  const world = new World(scenario({ tasks: { train: 6, val: 12, test: 12, maxSkills: 2 } }));
  const live = worldPerTest(world);

  const needing = (skill: string) => world.tasks.filter((t) => t.needs.includes(skill)).map((t) => t.id);
  const harmful = () => world.scenario.planted.harmful[0];
  const misled = () => new Set(world.tasks.filter((t) => world.misleads(t, harmful())).map((t) => t.id));

  it('fails every task that needs the planted missing skill; the harmful rule costs only tasks it misleads', async () => {
    const scores = await runWorld(live.ws);
    assert.deepEqual(live.sim.refused, [], 'every call was recognised');
    assert.equal(scores.failedTasks, 0);
    assert.equal(scores.byTask.size, world.tasks.length);
    assert.equal(meanOver(scores.byTask, needing('units')), 0, 'the solver lacks the units rule');
    const clean = world.tasks.filter((t) => !t.needs.includes('units') && !misled().has(t.id));
    assert.ok(clean.length >= 5, 'the fixture has tasks free of both defects');
    for (const t of clean) assert.equal(scores.byTask.get(t.id), 1, `task ${t.id} meets no defect`);
    assert.ok(scores.mean < 0.75, `the planted defects cost score (mean ${scores.mean})`);
    // What went over HTTP is what the world's own model of the MAS predicts, task by task.
    const prompts = promptsFromRules(world, (a) => world.plantedRules(a));
    for (const t of world.tasks) assert.equal(scores.byTask.get(t.id), predictScore(world, t, prompts), t.id);
  });

  it('adding the missing rule back restores the tasks that need it', async () => {
    const before = await runWorld(live.ws);
    live.ws.writeRules('solver', world.intendedRules('solver'));
    const after = await runWorld(live.ws);
    assert.equal(meanOver(before.byTask, needing('units')), 0);
    // Tasks needing units still fail when the harmful checker misleads them; all others now pass.
    const clean = needing('units').filter((id) => !misled().has(id));
    assert.ok(clean.length >= 3, 'the fixture has tasks to compare');
    assert.equal(meanOver(after.byTask, clean), 1);
    assert.ok(after.mean > before.mean + 0.1, `score rises from ${before.mean} to ${after.mean}`);
  });

  it('scores 1 on every task once the prompts are fixed by hand, and stays deterministic across runs', async () => {
    for (const agent of world.agents) live.ws.writeRules(agent, world.intendedRules(agent));
    const fixed = await runWorld(live.ws, { cacheMode: 'off' });
    assert.equal(fixed.mean, 1);
    const again = await runWorld(live.ws, { cacheMode: 'off' });
    assert.deepEqual([...again.byTask], [...fixed.byTask]);
  });

  it('a harmful rule alone lowers the score only on tasks it misleads', async () => {
    live.ws.writeRules('solver', world.intendedRules('solver'));
    live.ws.writeRules('checker', [...world.intendedRules('checker'), harmful().text]);
    const scores = await runWorld(live.ws);
    const hit = misled();
    assert.ok(hit.size > 5 && hit.size < world.tasks.length - 5, 'the rate splits the tasks');
    for (const t of world.tasks) if (!hit.has(t.id)) assert.equal(scores.byTask.get(t.id), 1, t.id);
    assert.ok(meanOver(scores.byTask, hit) < 0.7, 'misled tasks fail unless two right specialists outvote the checker');
  });
});
