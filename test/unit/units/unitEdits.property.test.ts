/**
 * Property tests (the fast slice; bench/hardening/editProperties.ts runs 10k cases of each): edits
 * change only their target's bytes and re-parse as expected, stale suggestions are never applied,
 * and revert through the ledger restores the exact bytes. The properties live in
 * test/support/properties/unitEditProperties.ts.
 */
import fc from 'fast-check';
import { bytesOutsideTarget, markdownDoc, opArb, revertByteIdentical, ruleText, staleNeverApplied, yamlDoc } from '../../support/properties/unitEditProperties';
import { tempDir } from '../llm/helpers';

describe('unit edits (properties)', function () {
  // Hundreds of parse → edit → re-parse rounds: slower than a unit test, still seconds.
  this.timeout(60_000);

  it('Markdown: edits touch only their unit and re-parse as expected', () => {
    fc.assert(fc.property(markdownDoc, fc.nat(), opArb, ruleText, (text, pick, op, newText) => bytesOutsideTarget(text, 'p.md', pick, op, newText)), { numRuns: 300, seed: 42 });
  });

  it('YAML: edits touch only their unit and re-parse as expected', () => {
    fc.assert(fc.property(yamlDoc, fc.nat(), opArb, ruleText, (text, pick, op, newText) => bytesOutsideTarget(text, 'agents.yaml', pick, op, newText)), { numRuns: 300, seed: 7 });
  });

  it('a suggestion whose target rule was reworded since is reported stale and changes nothing', async () => {
    const op = fc.constantFrom('MODIFY' as const, 'DELETE' as const);
    await fc.assert(fc.asyncProperty(markdownDoc, fc.nat(), op, ruleText, ruleText, (text, pick, o, newText, reworded) => staleNeverApplied(text, pick, o, newText, reworded)), { numRuns: 200, seed: 11 });
  });

  it('a rule written twice in a section: rewording one copy leaves the suggestion to the other copy, never to the rewording', async () => {
    // bench:edits seed 7's case: the paragraph copy is reworded; the list copy, same text and
    // section, is the same rule by id and may take the MODIFY; the rewording stays as written.
    for (const op of ['MODIFY', 'DELETE'] as const) await staleNeverApplied('## Rules 0\n\nCite cite.\n\n- Cite cite.\n', 0, op, 'Cite guess.', 'Cite cite cite.');
  });

  it('apply then revert through the ledger restores the exact bytes', async () => {
    const dir = tempDir('revert-property');
    try {
      await fc.assert(fc.asyncProperty(markdownDoc, fc.nat(), opArb, ruleText, (text, pick, op, newText) => revertByteIdentical(dir.path, text, pick, op, newText)), { numRuns: 60, seed: 5 });
    } finally {
      dir.remove();
    }
  });
});
