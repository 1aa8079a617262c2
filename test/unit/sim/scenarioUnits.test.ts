/**
 * A planted harmful rule is only a defect the optimizer can remove when the prompt parser reads it
 * as a rule unit: a sentence it files as context is never shown as a rule, so no edit can target
 * it and the scenario measures nothing. Every shipped scenario's harmful rules must parse as rules.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePromptDocument } from '../../../src/core/units';
import { loadScenario, normalizeText, promptFileText, World } from '../../support/sim';
import { SCENARIO_DIR } from './fixtures';

describe('simulation scenarios: planted rules are rule units', () => {
  it('parses every planted harmful rule of every shipped scenario as a rule of its agent', () => {
    for (const file of readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json'))) {
      const world = new World(loadScenario(join(SCENARIO_DIR, file)));
      for (const h of world.scenario.planted.harmful) {
        const doc = parsePromptDocument(promptFileText(world, h.agent, world.plantedRules(h.agent)), { uri: `prompts/${h.agent}.md`, defaultAgentId: h.agent });
        const units = doc.agents.find((a) => a.id === h.agent)?.units ?? [];
        assert.ok(
          units.some((u) => normalizeText(u.text) === normalizeText(h.text)),
          `${file}: "${h.text}" is not a rule unit of ${h.agent} (rules: ${units.map((u) => u.text).join(' | ')})`,
        );
      }
    }
  });
});
