/**
 * The corrected reply keeps the recorded envelope, so the MAS's SDK reads it as it read the
 * original: chat text, a chat tool call (same tool, same call id, new arguments), a Responses reply.
 * And interventions.jsonl: a line that does not fit the schema is reported with its number and
 * kept on the next write, never silently dropped.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { correctedReply, originalReply } from '../../../src/core/intervene/correctedReply';
import { appendIntervention, describeIntervention, INTERVENTION_FORMAT, INTERVENTIONS_FILE, readInterventions, type InterventionRecord } from '../../../src/core/intervene/interventionStore';

describe('intervention: the corrected reply', () => {
  it('replaces chat text, and zeroes the usage the endpoint never produced', () => {
    const recorded = { id: 'c1', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'FACT: Lyon' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } };
    const fixed = correctedReply(recorded, 'FACT: Paris') as typeof recorded;
    assert.equal(fixed.choices[0]!.message.content, 'FACT: Paris');
    assert.equal(fixed.id, 'c1');
    assert.deepEqual(fixed.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    assert.equal(recorded.choices[0]!.message.content, 'FACT: Lyon', 'the recording is not changed');
  });

  it('gives a tool call new arguments and keeps its tool and id', () => {
    const recorded = { choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Lyon"}' } }] }, finish_reason: 'tool_calls' }] };
    assert.deepEqual(originalReply(recorded), { text: '{"city":"Lyon"}', toolName: 'lookup' });
    const fixed = correctedReply(recorded, '{"city":"Paris"}') as typeof recorded;
    assert.deepEqual(fixed.choices[0]!.message.tool_calls, [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris"}' } }]);
    assert.equal(fixed.choices[0]!.finish_reason, 'tool_calls');
  });

  it('replaces the text of a Responses API reply', () => {
    const recorded = { id: 'r1', object: 'response', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'FACT: ' }, { type: 'output_text', text: 'Lyon' }] }], output_text: 'FACT: Lyon', usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } };
    assert.equal(originalReply(recorded).text, 'FACT: Lyon');
    const fixed = correctedReply(recorded, 'FACT: Paris');
    assert.equal(originalReply(fixed).text, 'FACT: Paris');
    assert.equal((fixed as typeof recorded).output_text, 'FACT: Paris');
  });
});

describe('intervention: interventions.jsonl', () => {
  const record = (flips: number, runs: number, reached = runs): InterventionRecord => ({
    format: INTERVENTION_FORMAT,
    id: `i${flips}`,
    at: `2026-12-07T10:00:0${flips}.000Z`,
    taskId: 't1',
    stepId: 's7',
    agentId: 'solver',
    callId: 'g7',
    source: 'credit',
    original: 'a',
    correction: 'b',
    baseline: { success: false, score: 0 },
    repeats: Array.from({ length: runs }, (_, i) => ({ index: i, reached: i < reached, success: i < flips, score: i < flips ? 1 : 0, replayed: 1, live: 1, missed: 0, spend: { calls: 1, inputTokens: 1, outputTokens: 1, costUsd: 0 } })),
    runs: reached,
    flips,
    spend: { calls: 3, inputTokens: 3, outputTokens: 3, costUsd: 0.01 },
  });

  it('says what the re-runs showed, and names re-runs that never reached the step apart', () => {
    assert.equal(describeIntervention(record(2, 3)), 'confirmed by intervention: 2 of 3 runs succeed with step s7 corrected');
    assert.equal(describeIntervention(record(1, 3)), 'confirmed by intervention: 1 of 3 runs succeeds with step s7 corrected');
    assert.equal(describeIntervention(record(0, 1)), 'not confirmed by intervention: 0 of 1 run succeed with step s7 corrected');
    assert.equal(describeIntervention(record(1, 3, 2)), 'confirmed by intervention: 1 of 2 runs succeeds with step s7 corrected; in 1 of 3 the MAS never made the blamed call again');
    assert.match(describeIntervention(record(0, 2, 0)), /^not checked by intervention: no re-run reached step s7; in 2 of 2/);
  });

  it('reports a line that does not fit with its number, and keeps it when a record is added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truce-interventions-'));
    try {
      writeFileSync(join(dir, INTERVENTIONS_FILE), `${JSON.stringify({ format: INTERVENTION_FORMAT, id: 'broken' })}\n`);
      await appendIntervention(dir, record(2, 3));
      const read = await readInterventions(dir);
      assert.deepEqual(read.records.map((r) => r.id), ['i2']);
      assert.equal(read.problems.length, 1);
      assert.match(read.problems[0]!, /^interventions\.jsonl:1: not an intervention record \(/);
      assert.match(readFileSync(join(dir, INTERVENTIONS_FILE), 'utf8'), /"id":"broken"/);
      await assert.rejects(appendIntervention(dir, { ...record(1, 1), flips: -1 }), /flips/, 'an invalid record is never written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
