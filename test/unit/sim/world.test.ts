import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { roleMessage } from '../../../src/core/mas/roundsMessages';
import { parsePromptDocument } from '../../../src/core/units';
import { defectRecall, editPrecision, fixesPlantedDefect } from '../../../bench/sim/figures';
import type { FakeChatRequest } from '../../support/fakeOpenAiServer';
import { createSimResponder, loadScenario, parseScenario, promptFileText, World, writeSimWorkspace } from '../../support/sim';
import { predictScore, promptsFromRules } from '../../support/sim/predict';
import { SCENARIO_DIR, scenario, SMALL } from './fixtures';

function chat(system: string, user: string): FakeChatRequest {
  const messages = [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
  return { seq: 1, model: 'fake-model', messages, body: { messages }, headers: {}, lastUser: user };
}

describe('simulation world: scenarios and the world model', function () {
  // Hundreds of in-process rollouts per scenario: CPU work that a loaded machine stretches.
  this.timeout(30_000);

  it('ships scenarios that parse, whose defects cost score, and that a hand repair brings to 1', () => {
    const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 4, `${files.length} scenarios`);
    for (const file of files) {
      const world = new World(loadScenario(join(SCENARIO_DIR, file)));
      if (world.plantedCount() === 0) {
        // A null scenario: nothing to repair, its noise comes from slips, and the hand repair changes nothing.
        assert.ok(world.scenario.noise.slip > 0, `${file} plants no defect, so it must be a null scenario with slips`);
        assert.deepEqual(promptsFromRules(world, (a) => world.plantedRules(a)), promptsFromRules(world, (a) => world.intendedRules(a)));
        continue;
      }
      assert.ok(world.plantedCount() >= 1, `${file} plants a defect`);
      const planted = promptsFromRules(world, (a) => world.plantedRules(a));
      const fixed = promptsFromRules(world, (a) => world.intendedRules(a));
      const mean = (p: Record<string, string>) => world.tasks.reduce((n, t) => n + predictScore(world, t, p), 0) / world.tasks.length;
      assert.ok(mean(planted) < 0.6, `${file}: planted prompts score ${mean(planted)}`);
      assert.equal(mean(fixed), 1, `${file}: the repaired prompts answer every task`);
      assert.equal(defectRecall(world, planted).recall, 0);
      assert.equal(defectRecall(world, fixed).recall, 1);
    }
  });

  it('generates the same tasks for the same seed and other tasks for another seed', () => {
    const a = new World(scenario()).tasks;
    const b = new World(scenario()).tasks;
    const c = new World(scenario({ seed: 6 })).tasks;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.map((t) => [t.needs, t.reference]), c.map((t) => [t.needs, t.reference]));
    assert.equal(a.length, 50);
    for (const t of a) assert.ok(t.needs.length >= 1 && t.needs.length <= 2 && t.wrong !== t.reference);
  });

  it('rejects scenarios whose defects are not defects', () => {
    assert.throws(() => parseScenario({ ...SMALL, planted: { missing: [{ agent: 'planner', skill: 'units' }], harmful: [] } }), /owned by "solver"/);
    assert.throws(() => parseScenario({ ...SMALL, planted: { missing: [], harmful: [{ agent: 'nobody', text: 'x' }] } }), /not an agent/);
    const shared = SMALL.skills.map((s) => (s.name === 'units' ? { ...s, keywords: ['units', 'constraint'] } : s));
    assert.throws(() => parseScenario({ ...SMALL, skills: shared }), /keyword "constraint" belongs to both/);
    // A harmful rule that mentions a skill keyword would also grant the skill.
    assert.throws(() => new World(scenario({ planted: { missing: [], harmful: [{ agent: 'checker', text: 'Never bother with units.', rate: 0.5 }] } })), /mentions a keyword of skill "units"/);
  });

  it('counts a skill as present by its canonical text or a keyword, whatever the emphasis or case', () => {
    const world = new World(scenario());
    const units = world.skill('units');
    assert.ok(world.covers('- **Check the UNITS of every quantity before answering.**', units));
    assert.ok(world.covers('Convert all units to SI first.', units));
    assert.ok(!world.covers('Check every quantity before answering.', units));
    assert.deepEqual([...world.skillsIn(promptsFromRules(world, (a) => world.intendedRules(a)).solver)], ['units']);
  });

  it('writes a workspace whose config validates and whose prompt units are exactly the planted rules', () => {
    const world = new World(scenario());
    const ws = writeSimWorkspace(world, { baseUrl: 'http://127.0.0.1:9/v1' });
    try {
      const config = ws.config();
      assert.equal(config.mas.kind, 'rounds');
      assert.deepEqual(config.agents.map((a) => a.id), ['planner', 'solver', 'checker', 'aggregator']);
      for (const agent of world.agents) {
        const doc = parsePromptDocument(ws.readPrompt(agent), { uri: ws.promptFiles[agent], defaultAgentId: agent });
        assert.deepEqual(doc.agents.find((a) => a.id === agent)?.units.map((u) => u.text), world.plantedRules(agent), agent);
      }
      assert.ok(!world.covers(ws.readPrompt('solver'), world.skill('units')), 'the planted missing rule is missing');
    } finally {
      ws.remove();
    }
  });

  it('answers the same rollout request with the same reply, and follows the prompt it is given', () => {
    const world = new World(scenario());
    const sim = createSimResponder(world);
    const task = world.tasks.find((t) => t.needs.includes('units'));
    assert.ok(task);
    const user = roleMessage({ task: task.input, round: 1, rounds: 2 });
    const planted = promptFileText(world, 'solver', world.plantedRules('solver'));
    const fixed = promptFileText(world, 'solver', world.intendedRules('solver'));
    const first = sim.respond(chat(planted, user));
    assert.deepEqual(sim.respond(chat(planted, user)), first);
    assert.match(String(first), new RegExp(`^Answer: ${task.wrong}`));
    assert.match(String(first), /skipped units/);
    assert.match(String(sim.respond(chat(fixed, user))), new RegExp(`^Answer: ${task.reference}`));
    assert.equal(sim.counts.role, 3);
  });

  it('answers the probes TRUCE sends before a run', () => {
    const sim = createSimResponder(new World(scenario()));
    const messages = [{ role: 'user', content: 'Reply with the single word OK.' }];
    assert.equal(sim.respond({ model: 'm', messages }), 'OK');
    const probe = sim.respond({ model: 'm', messages: [{ role: 'user', content: 'Return the JSON object {"ok": true} and nothing else.' }], jsonSchema: { name: 'truce_probe', schema: {} } });
    assert.deepEqual(probe, { json: { ok: true } });
  });

  it('scores edits: only fixes of planted defects count towards precision', () => {
    const world = new World(scenario());
    const harmful = world.scenario.planted.harmful[0];
    const units = world.skill('units').rule;
    assert.ok(fixesPlantedDefect(world, { op: 'ADD', agentId: 'solver', newText: units }));
    assert.ok(!fixesPlantedDefect(world, { op: 'ADD', agentId: 'checker', newText: units }), 'the right rule in the wrong agent');
    assert.ok(fixesPlantedDefect(world, { op: 'DELETE', agentId: 'checker', oldText: harmful.text }));
    assert.ok(!fixesPlantedDefect(world, { op: 'DELETE', agentId: 'checker', oldText: world.intendedRules('checker')[0] }));
    assert.ok(!fixesPlantedDefect(world, { op: 'MODIFY', agentId: 'checker', oldText: harmful.text, newText: `${harmful.text} Always.` }), 'a rewording that keeps the harm');
    assert.ok(!fixesPlantedDefect(world, { op: 'ADD', agentId: 'solver', newText: 'Be courteous to the other agents at all times.' }));
    assert.deepEqual(editPrecision(world, [{ op: 'ADD', agentId: 'solver', newText: units }, { op: 'ADD', agentId: 'solver', newText: 'Prefer short sentences.' }]), { precision: 0.5, fixing: 1 });
    assert.deepEqual(editPrecision(world, []), { precision: null, fixing: 0 });
  });
});
