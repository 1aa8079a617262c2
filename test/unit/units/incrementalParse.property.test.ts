/**
 * Incremental re-parsing agrees with a full parse byte for byte, on random prompt documents under
 * random edit sequences (the property lives in test/support/properties/incrementalParseProperties.ts).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkIncrementalAgreesWithFull, editStep, markdownText, URIS, type ModeCounts } from '../../support/properties/incrementalParseProperties';
import { markdownDoc, yamlDoc } from '../../support/properties/unitEditProperties';

describe('incremental parse (properties)', function () {
  // Thousands of parses, each checked against a full parse: seconds, not milliseconds.
  this.timeout(120_000);

  it('Markdown: every edit of a sequence re-parses to exactly the full parse', () => {
    const counts: ModeCounts = { full: 0, incremental: 0, unchanged: 0, partial: 0 };
    fc.assert(
      fc.property(markdownText, fc.array(editStep, { minLength: 1, maxLength: 10 }), (text, steps) => checkIncrementalAgreesWithFull(text, 'prompts/reviewer.prompt.md', steps, counts)),
      { numRuns: 400, seed: 12 },
    );
    // The property says nothing if every edit fell back to a full parse.
    assert.ok(counts.incremental > counts.full, `incremental ${counts.incremental}, full ${counts.full}`);
    // …or if every incremental parse read the whole file again.
    assert.ok(counts.partial > counts.incremental / 10, `${counts.partial} of ${counts.incremental} incremental parses read less than half the file`);
  });

  it('Markdown with lists and sections only: the shapes the editor sees most', () => {
    const counts: ModeCounts = { full: 0, incremental: 0, unchanged: 0, partial: 0 };
    fc.assert(fc.property(markdownDoc, fc.array(editStep, { minLength: 1, maxLength: 10 }), (text, steps) => checkIncrementalAgreesWithFull(text, 'AGENTS.md', steps, counts)), { numRuns: 300, seed: 3 });
    assert.ok(counts.incremental > counts.full && counts.partial > 0, JSON.stringify(counts));
  });

  it('every format and file name (YAML, Prompty, plain text and content-detected files are parsed in full)', () => {
    const text = fc.oneof(markdownText, yamlDoc);
    fc.assert(fc.property(text, fc.constantFrom(...URIS), fc.array(editStep, { minLength: 1, maxLength: 6 }), (t, uri, steps) => checkIncrementalAgreesWithFull(t, uri, steps)), { numRuns: 300, seed: 99 });
  });
});
