import { strict as assert } from 'node:assert';
import { aggregateSuggestions, clusterSuggestions, joinClusters } from '../../../src/core/optimize/aggregate';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import { raw } from './fixtures';

const OPTS = { sampledTaskIds: ['t1', 't2', 't3', 't4'], topK: 2, method: 'truce' as const };

describe('aggregateSuggestions', () => {
  it('merges near-duplicate texts of the same op and agent, and counts support as the share of sampled tasks', () => {
    const raws = [
      raw('t1', 'ADD', { text: 'Check the arithmetic of every calculation before answering.' }),
      raw('t2', 'ADD', { text: 'Check the arithmetic of every calculation before you answer.' }),
      raw('t3', 'ADD', { text: 'Check the arithmetic of every calculation before answering.' }),
      raw('t3', 'ADD', { text: 'Never mention the skeptic by name.' }),
    ];
    const { ranked, retained } = aggregateSuggestions(raws, OPTS);
    assert.equal(ranked.length, 2);
    assert.equal(ranked[0].support, 0.75);
    assert.deepEqual(ranked[0].tasks, ['t1', 't2', 't3']);
    // The text two tasks proposed word for word represents the cluster.
    assert.equal(ranked[0].edit.newText, 'Check the arithmetic of every calculation before answering.');
    assert.equal(ranked[1].support, 0.25);
    assert.equal(retained.length, 2);
  });

  it('never merges edits of different targets or operations, however similar the text', () => {
    const raws = [
      raw('t1', 'MODIFY', { target: 'u1', text: 'Answer the strongest objection first.' }),
      raw('t2', 'MODIFY', { target: 'u2', text: 'Answer the strongest objection first.' }),
      raw('t3', 'ADD', { text: 'Answer the strongest objection first.' }),
    ];
    assert.equal(clusterSuggestions(raws).length, 3);
    // An LLM merge group across targets is ignored too.
    assert.equal(joinClusters(clusterSuggestions(raws), [[0, 1, 2]]).length, 3);
  });

  it('honours an LLM merge group between clusters of the same target', () => {
    const raws = [raw('t1', 'MODIFY', { target: 'u1', text: 'Quote the question.' }), raw('t2', 'MODIFY', { target: 'u1', text: 'Cite numbers verbatim from the task.' })];
    const clusters = clusterSuggestions(raws);
    assert.equal(clusters.length, 2);
    const { ranked } = aggregateSuggestions(raws, OPTS, [[0, 1]]);
    assert.equal(ranked.length, 1);
    assert.equal(ranked[0].support, 0.5);
  });

  it('is independent of the order proposals arrive in', () => {
    const raws = [
      raw('t1', 'ADD', { text: 'Name the error you found.' }),
      raw('t2', 'DELETE', { target: 'u9' }),
      raw('t3', 'ADD', { text: 'Name the error that you found.' }),
      raw('t4', 'DELETE', { target: 'u9' }),
      raw('t4', 'MODIFY', { target: 'u3', text: 'Be brief.' }),
    ];
    const a = aggregateSuggestions(raws, OPTS);
    const b = aggregateSuggestions([...raws].reverse(), OPTS);
    assert.deepEqual(a, b);
  });

  it('keeps the top k overall and per agent, and rejects the rest with a reason', () => {
    const raws = [
      raw('t1', 'ADD', { text: 'Rule alpha about quoting the question exactly.' }),
      raw('t2', 'ADD', { text: 'Rule alpha about quoting the question exactly.' }),
      raw('t3', 'ADD', { text: 'Rule beta on confidence numbers and calibration.' }),
      raw('t1', 'ADD', { agentId: 'judge', text: 'Rule gamma about final answer lines.' }),
    ];
    const { ranked, retained } = aggregateSuggestions(raws, { ...OPTS, topK: 2, topKPerAgent: 1 });
    assert.deepEqual(retained.map((s) => s.edit.newText), ['Rule alpha about quoting the question exactly.', 'Rule gamma about final answer lines.']);
    const beta = ranked.find((s) => s.edit.newText?.startsWith('Rule beta'));
    assert.equal(beta?.status, 'rejected');
    assert.match(beta?.reason ?? '', /higher-ranked/);
  });

  it('rejects the lower-ranked of two edits of the same rule as a conflict', () => {
    const raws = [raw('t1', 'DELETE', { target: 'u1' }), raw('t2', 'DELETE', { target: 'u1' }), raw('t3', 'MODIFY', { target: 'u1', text: 'Softer rule.' })];
    const { ranked, retained } = aggregateSuggestions(raws, { ...OPTS, topK: 3 });
    assert.equal(retained.length, 1);
    assert.equal(retained[0].edit.op, 'DELETE');
    assert.match(ranked[1].reason ?? '', /Conflicts with/);
  });

  it('gives an edit the same id whoever proposed it, and different edits different ids', () => {
    const e = { op: 'ADD' as const, agentId: 'proposer', newText: 'Name the error.' };
    assert.equal(suggestionId(e, 'prompts/proposer.md'), suggestionId({ ...e, newText: '  name the   error. ' }, 'prompts/proposer.md'));
    assert.notEqual(suggestionId(e, 'prompts/proposer.md'), suggestionId({ ...e, newText: 'Name the flaw.' }, 'prompts/proposer.md'));
    assert.match(suggestionId(e, 'x.md'), /^s-[0-9a-f]{12}$/);
  });
});

describe('minimum support', () => {
  const sampled = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];

  it('rejects an edit only one task asked for, with the reason, and keeps one several tasks asked for', () => {
    const raws = [
      raw('t1', 'ADD', { text: 'Check the units of every quantity.' }),
      raw('t2', 'ADD', { text: 'Check the units of every quantity.' }),
      raw('t3', 'ADD', { text: 'Always answer in French.' }),
    ];
    const { ranked, retained } = aggregateSuggestions(raws, { sampledTaskIds: sampled, topK: 3, method: 'truce', minTasks: 2 });
    assert.deepEqual(retained.map((s) => s.edit.newText), ['Check the units of every quantity.']);
    const lone = ranked.find((s) => s.edit.newText === 'Always answer in French.')!;
    assert.equal(lone.status, 'rejected');
    assert.match(lone.reason ?? '', /Proposed by 1 task; at least 2/);
  });

  it('caps the floor at a quarter of the batch, so a batch of 4 still accepts single proposals', () => {
    const { retained } = aggregateSuggestions([raw('t1', 'ADD', { text: 'Cite sources.' })], { sampledTaskIds: sampled.slice(0, 4), topK: 3, method: 'truce', minTasks: 2 });
    assert.equal(retained.length, 1);
  });
});
