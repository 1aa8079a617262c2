/**
 * The fast slice of the fuzzers (bench/fuzz.ts runs the same properties on 100k cases): a few
 * hundred seeded cases per target. A finding fails the test unless it matches a defect already
 * reported to the owners of that code (test/support/fuzz/knownDefects.ts).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { configTarget, extractJsonTarget, IMPORTERS, importTarget, knownDefect, openOtlpFileTarget, openStructuredTarget, promptFileTarget, SEEDS, type FuzzTarget } from '../../support/fuzz';

const SEED = 20_240_601;
const RUNS = 250;

/** Fails on any crash or finding that is not a reported defect; returns what was tolerated. */
async function assertTarget<T>(target: FuzzTarget<T>, numRuns = RUNS): Promise<void> {
  await fc.assert(
    fc.asyncProperty(target.arbitrary, async (input) => {
      let findings;
      try {
        findings = await target.check(input);
      } catch (error) {
        if (knownDefect(target.name, (error as Error).message)) return;
        throw error;
      }
      const fresh = findings.filter((f) => !knownDefect(target.name, f.message));
      assert.deepEqual(fresh, [], `${target.name} on ${target.show(input).slice(0, 400)}`);
    }),
    { numRuns, seed: SEED },
  );
}

describe('fuzz (fast slice)', function () {
  this.timeout(20_000);

  it('prompt files: parsing never throws, errors are located, unit ranges lie inside the text and slice to their text', async () => {
    await assertTarget(promptFileTarget);
  });

  it('truce.yaml: parseConfig never throws and every diagnostic has a line and character', async () => {
    await assertTarget(configTarget);
  });

  for (const format of ['native', 'otlp', 'marble', 'whowhen'] as const) {
    it(`${format} import: the unmutated seeds import cleanly`, () => {
      for (const seed of SEEDS[format]) {
        const result = IMPORTERS[format](seed);
        assert.ok(result.trajectories.length > 0, `${format} seed yields trajectories`);
        assert.deepEqual(result.errors.filter((e) => e.severity !== 'warning' && !/duplicate span/.test(e.message)), []);
      }
    });

    it(`${format} import of mutated inputs: never throws, emits only valid trajectories, locates its errors`, async () => {
      await assertTarget(importTarget(format), 150);
    });
  }

  it('otlp file import: streamed or read whole, the same result as the import of the file\'s text', async () => {
    const target = openOtlpFileTarget();
    try {
      await assertTarget(target, 150);
    } finally {
      target.close();
    }
  });

  it('extractJson: never throws; bare and json-fenced JSON come back as sent', async () => {
    await assertTarget(extractJsonTarget, 300);
  });

  it('structured calls against the fake server: only typed errors, never a value that fails the schema', async () => {
    const target = await openStructuredTarget();
    try {
      await assertTarget(target, 60);
    } finally {
      await target.close();
    }
  });

  it('the checks catch what they are meant to catch', async () => {
    // A unit whose range does not hold its text, an unlocated error and a lost JSON answer are reported.
    const { checkPromptDocument } = await import('../../support/fuzz/promptFiles');
    const text = '- keep answers short\n';
    const unit = { id: 'u', agentId: 'a', kind: 'bullet' as const, text: 'keep answers long', sectionPath: [], vars: [], locked: false, style: { marker: '- ', indent: '' }, block: { start: 0, end: 20 }, range: { start: { line: 0, character: 2, offset: 2 }, end: { line: 0, character: 20, offset: 20 } } };
    const kinds = checkPromptDocument({ uri: 'a.md', text }, { uri: 'a.md', format: 'markdown', agents: [{ id: 'a', kind: 'role', range: unit.range, units: [unit] }], errors: [{ message: 'x', line: -1, character: 0 }] }).map((f) => f.kind);
    assert.deepEqual(kinds.sort(), ['error-without-location', 'wrong-value']);
    assert.deepEqual(extractJsonTarget.check({ shape: 'bare', value: { a: 1 }, text: '{"a": 2}' }) as unknown[], [{ kind: 'wrong-value', message: 'bare JSON not returned as sent: {"ok":true,"value":{"a":2},"source":"whole"}' }]);
  });
});
