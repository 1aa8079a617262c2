/**
 * Reading rules that keep descriptions, illustrations and bare lead-ins out of the rules (issue 20,
 * precision on real prompt files), each on a small prompt written here. Every case pins one general
 * rule of reading; the real files are scored by bench:units-real.
 */
import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument, type PromptDocument } from '../../../src/core/units';
import { classifySentence } from '../../../src/core/units/classify';
import { sentenceSpans } from '../../../src/core/units/sentences';

const parse = (text: string) => parsePromptDocument(text, { uri: 'agent.md' });
const rules = (doc: PromptDocument) => allUnits(doc).map((u) => u.text);
const leads = (doc: PromptDocument) => allUnits(doc).map((u) => u.lead);
const pieces = (text: string) => sentenceSpans(text).map((s) => text.slice(s.start, s.end));

describe('reading rules: lead-ins written as list items', () => {
  it('a last item ending in ":" before another list is its lead-in, not a rule of its own', () => {
    const doc = parse('* For small jobs:\n- Check the input twice.\n- Reply in one line.\n');
    assert.deepEqual(rules(doc), ['Check the input twice.', 'Reply in one line.']);
    assert.deepEqual(leads(doc), ['For small jobs:', 'For small jobs:']);
  });

  it('such a lead-in is a rule when it instructs ("…, explicitly check:")', () => {
    const doc = parse('* For each answer, explicitly check:\n- Is every figure sourced?\n');
    assert.deepEqual(rules(doc), ['For each answer, explicitly check:', 'Is every figure sourced?']);
  });

  it('an adjective "critical" or "important" in the lead-in does not make it instruct', () => {
    const doc = parse('* For critical paths:\n- Add a regression test.\n\n* For important numbers, dates and names:\n- Quote the source.\n');
    assert.deepEqual(rules(doc), ['Add a regression test.', 'Quote the source.']);
  });

  it('an item ending in ":" among its siblings stays an item', () => {
    const doc = parse('- Keep these in mind:\n- Reply in one line.\n');
    assert.equal(rules(doc).length, 2);
  });

  it('a lead-in that stops at its modal ("The reply should:") is finished by its items, which are the rules', () => {
    const doc = parse('The reply should:\n\n- Have a title\n- Fit on one screen\n');
    assert.deepEqual(rules(doc), ['Have a title', 'Fit on one screen']);
    assert.deepEqual(leads(doc), ['The reply should:', 'The reply should:']);
  });
});

describe('reading rules: illustrations and quotations', () => {
  it('a quotation on one line is never split into sentences, a sentence after it still is', () => {
    assert.deepEqual(pieces('Brief them like this: "Collect prices. Compare them. Report the cheapest." Then wait.'), [
      'Brief them like this: "Collect prices. Compare them. Report the cheapest."',
      'Then wait.',
    ]);
  });

  it('a quoted sample brief under "Example of …:" is an example, however imperative its sentences', () => {
    const doc = parse('- Write briefs for helpers.\n- Example of a good brief: "Collect prices from three shops. Compare them. Report the cheapest one."\n');
    assert.deepEqual(rules(doc), ['Write briefs for helpers.']);
  });

  it('"For example, …" illustrates the rule before it, unless it binds on its own', () => {
    assert.deepEqual(rules(parse('Keep replies short. For instance, if the user greets you, reply with one line.\n')), ['Keep replies short.']);
    assert.deepEqual(rules(parse('Order the work by need. For instance, when one task feeds another, always start with it.\n')), [
      'Order the work by need.',
      'For instance, when one task feeds another, always start with it.',
    ]);
  });

  it('a line opening with a bold label starts a sentence, even after a line without punctuation', () => {
    const doc = parse('- Example: "three cities" → one helper per city\n  **IMPORTANT**: Never start more than five helpers.\n');
    assert.deepEqual(rules(doc), ['**IMPORTANT**: Never start more than five helpers.']);
  });

  it('"Just …" opens a command like any other adverb', () => {
    assert.equal(classifySentence('Just reply with the number.'), 'rule');
  });
});

describe('reading rules: descriptions in lists and prose', () => {
  it('what the agent may have or will likely meet is context; what it may do is a rule', () => {
    const doc = parse('You may have tools for the calendar. Use them only to read.\n');
    assert.deepEqual(rules(doc), ['Use them only to read.']);
    assert.equal(classifySentence('You likely cannot reach the network from here.'), 'context');
    assert.equal(classifySentence('You may skip the summary for one-line answers.'), 'rule');
  });

  it('an item with its subject left out ("Can be answered …") describes; under an instructing lead-in it completes it', () => {
    assert.equal(classifySentence('Can be answered from memory without any search', { listItem: true }), 'context');
    assert.equal(classifySentence('Has a title and a date', { listItem: true, instructingLead: true }), 'rule');
  });

  it('an entry of an environment-variable list is context', () => {
    const doc = parse('- **CACHE_DIR** - Set to a folder for the cache\n- `MAX_WORKERS`: how many run at once\n- Keep the cache small.\n');
    assert.deepEqual(rules(doc), ['Keep the cache small.']);
  });

  it('"only" after its noun describes a scope, it does not bind', () => {
    assert.equal(classifySentence('**site.yml** - Publishes the site (tagged commits only)', { listItem: true }), 'context');
    assert.equal(classifySentence('Reply in English only.'), 'rule');
  });

  it('a verb-like word inside an enumeration is not a command clause', () => {
    assert.equal(classifySentence('It lets agents read files, issues, pull requests, and wikis through one interface.'), 'context');
    assert.equal(classifySentence('When the build breaks, run the tests, lint, and build again.'), 'rule');
  });

  it('a file name as a label is not a command, even when it reads like a verb ("deploy.yml")', () => {
    assert.equal(classifySentence('**deploy.yml** - Publishes the site', { listItem: true }), 'context');
    assert.equal(classifySentence('**Deploy** - after every merge', { listItem: true }), 'rule');
  });

  it('a step followed by its timing names the step ("Lint ~2s")', () => {
    assert.equal(classifySentence('**These steps are quick:** Lint ~2s, Build ~5s'), 'context');
    assert.equal(classifySentence('Lint the changed files.'), 'rule');
  });

  it('a bare condition, a definition or a participle description in a list is context', () => {
    assert.equal(classifySentence('For requests with a single question', { listItem: true }), 'context');
    assert.equal(classifySentence('Each worker is a separate process that can read files.', { listItem: true }), 'context');
    assert.equal(classifySentence('Stored in `cache/` with one file per key', { listItem: true }), 'context');
    // Noun phrases in a checklist stay rules.
    assert.equal(classifySentence('Clear names for every public function', { listItem: true }), 'rule');
  });

  it('a possibility inside a "When …" condition does not bind', () => {
    assert.equal(classifySentence('**Wide request**: When the question can be split into parts that do not depend on each other.', { listItem: true }), 'context');
    assert.equal(classifySentence('Old entries can be deleted after a week.'), 'rule');
  });

  it('a verb with its particle after a condition commands ("…, side with the role that spoke first")', () => {
    // The wording a harmful aggregator rule takes: read as context, no edit could ever reach it.
    assert.equal(classifySentence('When the roles disagree, side with the role that spoke first.'), 'rule');
    assert.equal(classifySentence('If the sources conflict, lean toward the most recent one.'), 'rule');
    assert.equal(classifySentence('When the search fails, fall back to the cached answer.'), 'rule');
    assert.equal(classifySentence('When asked for a guess, refrain from guessing.'), 'rule');
    // The same words as nouns, and a clause that only states what happens, stay context.
    assert.equal(classifySentence('Side effects of the tool are logged.'), 'context');
    assert.equal(classifySentence('When the roles disagree, nobody wins.'), 'context');
    assert.equal(classifySentence('When tests fail, the build stops.'), 'context');
  });

  it('a preference in the passive is a rule ("Small commits are preferred")', () => {
    assert.equal(classifySentence('Small, focused commits are preferred.'), 'rule');
    assert.equal(classifySentence('The preferred editor of the team is Vim.'), 'context');
  });

  it('"As the …, your role is to …" under a label is one duty among others; on its own it says who the agent is', () => {
    assert.equal(classifySentence('**Synthesis**: As the lead agent, your primary role is to coordinate and merge the findings.'), 'rule');
    assert.equal(classifySentence('As the lead agent, your main role is to merge the findings.', { opening: true }), 'role');
    assert.equal(classifySentence('As the aggregator, you are the last voice of the debate.', { opening: true }), 'role');
  });
});
