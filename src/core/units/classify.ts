/**
 * Rule, role or context? A rule tells the agent how to behave (do / don't / always / never /
 * prefer / "when X, do Y", duty and permission statements, checklist items). A role statement only
 * names who the agent is ("You are a senior engineer", "Your role is the critic", "Act as a
 * translator"). Context describes: the project, files, the stack, examples, variables, persona
 * traits, consequences that add no instruction. The optimizer edits rules only; role and context
 * are kept apart (`AgentPrompt.context`) so they stay visible without being edited.
 *
 * The reading is by grammar, not by any file's wording: an imperative opening, a modal or
 * directive word, a "when/if/for …, do …" clause, or a second-person duty makes a rule.
 */

export type Verdict = 'rule' | 'role' | 'context';

/** Base forms of verbs that open instructions ("Use …", "Keep …", "Run …"). */
const IMPERATIVE = new Set(
  (
    'abstain accept act adapt add address adhere adjust aim align allocate analyse analyze annotate answer append apply approach archive ask assess assign assume attach attempt audit avoid back balance base be begin break bring build bump call cap capitalise capitalize capture categorise categorize cause centre change check choose cite clarify classify clean clear close collect combine comment commit communicate compare compile complete compose compute concentrate confirm consider consolidate consult continue contribute convert coordinate copy correct count create cross cut debug decide declare decompose default defer define delegate delete deliver deploy derive describe design detect determine develop diagnose disable discard discuss dispatch display distill distil distribute divide do document double draft drop edit elaborate eliminate emit emphasise emphasize employ enable encapsulate encourage end enforce engage enhance ensure enter enumerate err escalate escape establish estimate evaluate examine exclude execute expand expect explain explore export expose extend extract favour favor fetch fill filter find finish fix flag focus follow forget format forward gather generate get give go group guard handle help hide highlight identify ignore implement import improve include incorporate increase indicate infer inform inspect install instruct integrate interpret introduce investigate invoke isolate iterate join judge justify keep label lay lead learn leave let limit link list load localise localize locate log look maintain make manage map mark match measure mention merge migrate minimise minimize mirror mock model monitor move name narrow navigate note notify observe obtain offer omit open opt optimise optimize order organise organize output overwrite paraphrase parse pass pay perform pick pin place plan point populate post predict prefer prepare present preserve prevent print prioritise prioritize probe proceed process produce prohibit propose protect prove provide publish pull push put query question raise rank rate re-run read reason rebase recommend record redact reduce refactor refer reference reflect reformat refrain refresh refuse register reject release rely remain remember remove rename render reorder repeat rephrase replace reply report request require rerun research reserve reset resolve respect respond rest restate restrict restructure retain retrieve retry return reuse review revise rewrite rollback route run sanitise sanitize save scan schedule scope score search see select send separate serve set settle share show simplify skip sort specify split squash stage start state stay steer stick stop store stream strip structure submit suggest summarise summarize supply support surface switch synthesise synthesize tag take talk target teach tell test think throw tighten trace track train transform translate treat trigger trim trust try turn type uncover underline understand undo unify update upgrade upload use utilise utilize validate verify view visit wait warn watch weigh word work wrap write yield'
  ).split(' '),
);

/** Verbs a persona has rather than does ("You have a keen eye", "You know how to …"). */
const PERSONA_VERB = /^(are|'re|’re|were|have|'ve|’ve|had|know|excel|possess|love|enjoy|like|hate|detest|despise|thrive|specialize|specialise|bring|boast|come|combine|care|pride|understand|believe|value|appreciate|embody|represent|work|live|speak|hold)$/i;

const DIRECTIVE = /\b(must|mustn't|should|shouldn't|shall|need to|needs to|have to|has to|is required|are required|required to|mandatory|never|always|do not|don't|does not need|avoid|ensure|make sure|prefer|preferably|(?:is|are) preferred|please|only|may not|may be|can be|is allowed|are allowed|not allowed|forbidden|prohibited|instead of|rather than|at most|at least|no more than|no longer than|important|critical)\b/i;

const ROLE_OPENING = /^(?:you are|you're|you’re|you will act as|you act as|act as|acting as|i am|i'm|this agent is|your name is|your role is|your persona is|you will be|you will play|you play|you serve as|imagine you are|pretend (?:you are|to be))\b/i;
const ROLE_AS = /^as (?:the|a|an|our|your) [^,]{1,80}, (?:you (?:are|act|will act|serve|work)\b|your (?:\w+ )?(?:role|job|persona) is\b)/i;
/** "As the lead research agent, " before the rest of a sentence. */
const AS_ROLE_LEAD = /^as (?:the|a|an|our|your) [^,]{1,80}, /i;
/** "Your task is to answer …": a duty, so a rule wherever it stands. */
const DUTY = /^(?:your|the agent's|the assistant's) (?:\w+ ){0,2}(?:task|job|goal|aim|objective|mission|purpose|responsibility|duty|focus|priority|role) (?:is|will be) (?:to|not to)\b/i;
const PASSIVE_GIVEN = /^you (?:are|will be|have been|were) (?:given|provided|shown|handed|passed|sent|called|invoked|asked)\b/i;

/** Words that mark an example, a sample value or a definition rather than an instruction. */
const EXAMPLE_LEAD = /^(?:e\.g\.|eg\.|example\b|examples\b|for example\b|sample\b|note:|n\.b\.|here is\b|here are\b|here's\b|this is\b|these are\b|this file\b|this guide\b|this document\b|this repo(?:sitory)?\b|this project\b|known for\b)/i;

/** Strips list markers, bold/heading markup, a leading label ("**Fix:**", "Clarity:") and adverbs. */
function opening(sentence: string): { label: string; rest: string } {
  let s = sentence.trim();
  if (/^(?:[-*+]|\d+[.)])\s+/.test(s)) s = s.replace(/^(?:[-*+]|\d+[.)])\s+/, '');
  if (s.charCodeAt(0) === 91 /* [ */) s = s.replace(/^\[[ xX]\]\s+/, '');
  let label = '';
  // Only text with a colon, dash or emphasis can open with a label.
  if (!/[:\-–—*_`]/.test(s)) return { label, rest: ADVERB.test(s) ? s.replace(ADVERB, '') : s };
  // "**Label**: rest", "**Label:** rest", "**Label** - rest", "Label: rest", "`name`: rest".
  // A score range ("1-3:", "10:") labels a scale anchor.
  const m = /^((?:\*\*|__)[^*_]{1,80}?(?:\*\*|__)\s*[:\-–—]?|`[^`]{1,80}`\s*[:\-–—]|[A-Z][\w /&'’()-]{0,40}:|\d+(?:\s*[-–]\s*\d+)?\s*:)\s+(.*)$/s.exec(s);
  if (m && m[2].trim().startsWith('(')) {
    // "**Triage Steps** (numbered)": a name with a note, not a label.
  } else if (m && !/^(?:note|example|e\.g|important|critical|warning)\b/i.test(m[1].replace(/[*_`]/g, '')) && m[2].trim()) {
    label = m[1];
    s = m[2];
  } else if (m && m[2].trim()) {
    s = m[2];
  }
  s = s.replace(/^(?:\*\*|__|`)+/, '');
  return { label, rest: ADVERB.test(s) ? s.replace(ADVERB, '') : s };
}

const ADVERB = /^(?:first|then|next|finally|also|now|additionally|afterwards|lastly|second|third|and|but|so|instead|otherwise|again|similarly|likewise|just|simply)\b,?\s+/i;

const FIRST_WORDS = /^[\s*_`"'“(\[]*([A-Za-z][A-Za-z'’-]*)\*{0,2}(?:\s+([A-Za-z]+))?/;

function firstWord(text: string): string {
  return (FIRST_WORDS.exec(text)?.[1] ?? '').toLowerCase();
}

/** Words that open a statement, never a command. */
const NOT_A_VERB = /^(the|a|an|this|that|these|those|it|its|it's|there|here|we|you|they|he|she|i|our|your|their|my|each|every|all|some|any|no|most|many|one|both|either|neither|such|what|which|who|whom|whose|when|where|why|how|if|for|in|on|at|by|with|from|to|of|as|and|or|but|not|also|so|than|then|because|while|although|though|unless|until|after|before|since|once|per|via|into|onto|over|under|about|above|below|between|among|within|without|during|through|across|toward|towards|upon|like|unlike|new|old|more|less|other|another|same|different|first|last|next|previous|main|key|core|common|important|critical|optional|required|good|bad|best|high|low|new)$/;
/** Words that follow a verb's object position: a capitalised word before them is a command ("Solve the task"). */
const OBJECT_START = /^(the|a|an|this|that|these|those|it|them|their|its|your|our|my|all|each|every|any|some|no|only|one|both|short|clear|concise|careful|carefully|clearly|briefly|precisely|exactly|always|never|up|out|down|back|away|off|over|through)$/;

/** What follows a step's name when it is being timed or counted, not commanded ("~1s", "2.5 min"). */
const MEASURE_AFTER = /^\s+(?:[~≈]|\d+(?:\.\d+)?\s*(?:ms|s|sec|secs|seconds?|min|mins|minutes?|h|hrs?|hours?|%)(?![\w-]))/i;

let lastText: string | undefined;
let lastImperative = false;

/** Whether `text` opens with a command ("Use …", "Never …", "Solve the task …"). */
export function startsImperative(text: string): boolean {
  // The classifier asks this of the same text several times in a row.
  if (text === lastText) return lastImperative;
  lastImperative = imperativeAtStart(text);
  lastText = text;
  return lastImperative;
}

function imperativeAtStart(text: string): boolean {
  const m = FIRST_WORDS.exec(text);
  if (!m) return false;
  const w = m[1].toLowerCase();
  // "deploy.yml", "build.gradle": a file name, whatever verb its stem looks like.
  if (text.charCodeAt(m.index + m[0].length) === 46 /* . */ && m[2] === undefined && /^\.[a-z0-9]{1,5}\b/i.test(text.slice(m[0].length))) return false;
  if (w === 'do' || w === 'don’t' || w === "don't" || w === 'never' || w === 'always' || w === 'only' || w === 'please' || w === 'be') return true;
  const next = m[2]?.toLowerCase();
  // "Lint ~1s, Build ~1s": a verb followed by a duration or an approximate figure names a step.
  if (next === undefined && MEASURE_AFTER.test(text.slice(m[0].length))) return false;
  if (!IMPERATIVE.has(w)) {
    // An unlisted verb still reads as a command when an object follows it ("Solve the task").
    return !!next && OBJECT_START.test(next) && !NOT_A_VERB.test(w) && !/(?:s|ed|ing|ly)$/.test(w);
  }
  // "Test structure for tools", "Type checking": a noun use when the next word ends the phrase.
  if (next && /^(is|are|was|were|has|have|can|will|should|must|may|of)$/.test(next)) return false;
  return true;
}

/** A third-person description ("Runs the tests", "Creates releases", "Benefits from …"). */
function startsDescriptiveVerb(text: string): boolean {
  const w = firstWord(text);
  if (!/^[a-z]+s$/.test(w) || w.endsWith('ss')) return false;
  const next = /^[\s*_`"'“(\[]*[A-Za-z]+\s+([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase();
  if (next && /^(is|are|should|must|can|will|may|need|do|don't)$/.test(next)) return false;
  const stem = w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.endsWith('es') && IMPERATIVE.has(w.slice(0, -2)) ? w.slice(0, -2) : w.slice(0, -1);
  return IMPERATIVE.has(stem) || /^(benefits|means|contains|lives|holds|describes|covers|helps|includes|requires|uses|runs|provides|connects|enables|explains|shows|lists|documents|defines)$/.test(w);
}

/** "When X, do Y" / "If X, do Y" / "As a fan of X, you answer …": a clause after a comma commands. */
function hasCommandClause(text: string): boolean {
  if (!CLAUSE_BREAK.test(text)) return false;
  const parts = text.split(/[,;:—–]\s+|\s-\s/);
  for (let k = 1; k < parts.length; k++) {
    // "…, issues, pull requests, workflows, and more": a short part after a short part is an element
    // of an enumeration, not a clause, even when it opens with a verb-like word; an "and"/"or" part
    // closes the enumeration, so what follows it is a clause again.
    if (k < parts.length - 1 && isShortPart(parts[k]) && isShortPart(parts[k - 1]) && !/^\s*(?:and|or)\b/i.test(parts[k - 1])) continue;
    // "…, so keep functions exported", "…, then run the tests", "…, explicitly evaluate:".
    const part = parts[k].replace(/^(?:so|then|and then|and so)\s+/i, '').replace(/^[a-z]+ly\s+(?=[a-z])/i, '');
    if (startsImperative(part) && !/^(?:and|or)\b/i.test(part)) return true;
    if (PHRASAL_COMMAND.test(part)) return true;
    if (/^you\s/i.test(part) && secondPersonDuty(part)) return true;
  }
  return false;
}

const CLAUSE_BREAK = /[,;:—–]\s|\s-\s/;

/**
 * Verbs that command only with their particle ("…, side with the role that spoke first", "…, lean
 * toward the cautious answer", "…, fall back to the cache"). Alone, "side", "lean", "fall" and
 * "hold" are as often nouns or adjectives, so they are not in the verb list; in the clause after a
 * condition, word and particle together read as the instruction.
 */
const PHRASAL_COMMAND = /^\s*(?:side\s+(?:with|against)|lean\s+(?:toward|towards|on)|fall\s+back|hold\s+(?:off|back)|bail\s+out|back\s+off|stand\s+by|steer\s+clear)\b/i;

/** At most three words: an enumeration element rather than a clause. */
function isShortPart(part: string): boolean {
  return part.trim().split(/\s+/).length <= 3;
}

const DIRECTIVE_G = new RegExp(DIRECTIVE.source, 'gi');

/** A modal or directive word that binds the reader, not one inside a relative clause ("changes that do not …"). */
function hasDirectiveWord(text: string): boolean {
  DIRECTIVE_G.lastIndex = 0;
  for (let m = DIRECTIVE_G.exec(text); m; m = DIRECTIVE_G.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 7), m.index);
    if (/\b(?:that|which|who)\s+$/i.test(before)) continue;
    if (/^only$/i.test(m[0]) && /-$/.test(before)) continue;
    // "(main branch only)", "for internal use only.": a restriction after its noun describes scope.
    if (/^only$/i.test(m[0]) && /^\s*(?:[).,;:]|$)/.test(text.slice(m.index + 4))) continue;
    if (/^(?:important|critical)$/i.test(m[0]) && isAdjectiveInPhrase(text, m.index, m[0])) continue;
    // "When the problem can be split, …": a possibility inside the condition binds nothing.
    if (/^(?:can|may) be$/i.test(m[0]) && CONDITION_OPENING.test(text) && !text.slice(0, m.index).includes(', ')) continue;
    return true;
  }
  return false;
}

/** "You only focus on …", "You score a dialogue …": a second-person duty (not a trait). */
function secondPersonDuty(text: string): boolean {
  const m = /^you\s+(?:will\s+|can\s+|should\s+|must\s+|then\s+|only\s+|also\s+|always\s+|never\s+|first\s+|may\s+)*([a-z'’]+)/i.exec(text);
  if (!m) return false;
  // "You likely cannot run them", "You may have other tools": likelihood and possession describe.
  if (HEDGED_YOU.test(text) || POSSIBLE_STATE.test(text)) return false;
  if (/^you\s+(?:will|can|should|must|only|always|never|may)\b/i.test(text)) return true;
  return !PERSONA_VERB.test(m[1]);
}

/**
 * "critical steps", "important facts": an adjective inside a noun phrase. The word marks an
 * instruction only as a marker (at the start, in capitals, before a colon: "IMPORTANT:") or as
 * the predicate of "it is important to …".
 */
function isAdjectiveInPhrase(text: string, index: number, word: string): boolean {
  if (index <= 2 || word === word.toUpperCase()) return false;
  if (/^[*_]*\s*:/.test(text.slice(index + word.length))) return false;
  return !/\b(?:is|are|it's)\s+(?:very\s+|extremely\s+|especially\s+)?$/i.test(text.slice(Math.max(0, index - 20), index));
}

/** "You usually …", "You might …": a statement of what tends to be, not of what to do. */
const HEDGED_YOU = /^you\s+(?:usually|likely|probably|often|sometimes|typically|generally|might|could)\b/i;
/** "You may have access to …", "You will find …": what the agent has or meets, not what it must do. */
const POSSIBLE_STATE = /^you\s+(?:(?:may|can)\s+(?:also\s+)?(?:have|be|see|find|notice|encounter|receive|get|come across)|will\s+(?:also\s+)?(?:have|see|find|notice|encounter|receive|get|come across))\b/i;

/** A quotation in straight or curly double quotes. */
const QUOTED = /"[^"\n]*"|“[^”\n]*”/g;

/** Words that bind even inside an illustration ("For instance, when …, always …"). */
const BINDING = /\b(?:must|mustn't|should|shouldn't|shall|never|always|do not|don't|make sure|is required|are required)\b/i;

/** "For example, …", "For instance, …", "E.g. …": an illustration of a rule given before it. */
const ILLUSTRATION = /^(?:for (?:example|instance)|e\.g\.|eg\.)[,:]?\s/i;

/** "Can be handled by …", "Is used for …": a description with its subject left out. */
const ELLIPTICAL_STATEMENT = /^(?:can|could|might|is|are|was|were|has|have|had)\s+(?:not\s+)?(?:be\s+|been\s+)?[a-z]/i;

/** An entry named by an environment variable or constant ("**GITHUB_TOKEN** - …", "`MAX_RETRIES`: …"). */
const VARIABLE_ENTRY = /^[\s*_`]*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+[*_`]*\s*(?:[:=—–]|-\s)/;

/** A bare condition or scope ("For queries requiring …", "When the input is empty"). */
const CONDITION_OPENING = /^(?:for|when|whenever|if|unless|once|while|during|in case of)\b/i;

/** "Each X is a …", "The Y are an …": what something is. */
const DEFINITION = /^(?:each|every|a|an|the|this|that|these|those)\s+(?:[\w-]+\s+){1,3}(?:is|are)\s+(?:a|an)\s/i;
/** "Located in …", "Used by …": a description of where or how something is. */
const PARTICIPLE_OPENING = /^[a-z]+ed\s+(?:in|at|on|by|under|from|with|within|inside|via)\b/i;

export interface ClassifyOptions {
  /** The sentence opens the agent's prompt (before any rule or section). */
  opening?: boolean;
  /** The sentence is (the start of) a list item or a line of a plain rule list. */
  listItem?: boolean;
  /** The section around it is descriptive ("Overview", "Project Structure", "Environment Variables"). */
  descriptiveSection?: boolean;
  /** The lead-in the item hangs off instructs ("Analyse the method to find:"). */
  instructingLead?: boolean;
  /** The lead-in the item hangs off introduces examples ("Here are some examples:"). */
  exampleLead?: boolean;
}

/** A lead-in that introduces examples or samples rather than instructions. */
export function isExampleLead(text: string): boolean {
  return EXAMPLE_LEAD.test(text.replace(/[*_]/g, '').trim()) || /\bexamples?\b|\bsamples?\b/i.test(text);
}

/** Does this sentence tell the agent what to do? */
export function isDirective(sentence: string): boolean {
  const { label, rest } = opening(sentence);
  return directive(label, rest.trim());
}

function directive(label: string, core: string): boolean {
  if (!core) return false;
  if (startsImperative(core)) return true;
  if (label && (startsImperative(label.replace(/[*_`:\-–—]/g, ' ').trim()) || hasDirectiveWord(label))) return true;
  // "**Synthesis**: As the lead agent, your primary role is to coordinate …": under an emphasised
  // label, one responsibility among others. A plain "Name: As a …, your role is to …" (Who&When's
  // "Linguistics_Expert: …") is the sentence that says who the agent is.
  if (DUTY.test(core) || (/^(?:\*\*|__)/.test(label) && DUTY.test(core.replace(AS_ROLE_LEAD, '')))) return true;
  if (/^you\b/i.test(core) && secondPersonDuty(core)) return true;
  if (/^(?:when|whenever|if|before|after|unless|once|while|for|during|in|on|to|as soon as|until|where)\b/i.test(core) && hasCommandClause(core)) return true;
  if (hasDirectiveWord(core)) return true;
  if (hasCommandClause(core) && !EXAMPLE_LEAD.test(core)) return true;
  return false;
}

/** Openings that need the slower role and example checks; most rules start otherwise. */
const NEEDS_CHECKS = /^[\s*_`"'“(\[]*(?:you|your|i\b|i'm|act|acting|as|this|imagine|pretend|e\.g|eg\b|example|for example|sample|note|n\.b|here|these|known)/i;

export function classifySentence(sentence: string, opts: ClassifyOptions = {}): Verdict {
  // The common case first: a plain imperative ("Keep answers short.") outside descriptive sections.
  const c0 = sentence.charCodeAt(0);
  if (!opts.descriptiveSection && !opts.exampleLead && c0 !== 96 /* ` */ && c0 !== 91 /* [ */ && !NEEDS_CHECKS.test(sentence) && startsImperative(sentence)) return 'rule';
  const { label, rest } = opening(sentence);
  const core = rest.trim();
  if (NEEDS_CHECKS.test(sentence)) {
    const plain = /[*_`]/.test(sentence) ? sentence.replace(/[*_`]/g, '').trim() : sentence.trim();
    if (ROLE_OPENING.test(plain) || ROLE_AS.test(plain)) {
      // "You are helping X …" deeper in a prompt describes; at the top it is the role either way.
      if (DUTY.test(plain)) return 'rule';
      if (!/\b(?:must|should|never|always|do not|don't|only)\b/i.test(plain)) return opts.opening ? 'role' : 'context';
    }
    if (PASSIVE_GIVEN.test(plain) && !/\b(?:should|must|and (?:then )?(?:use|follow|answer))\b/i.test(plain)) return 'context';
    // An opening "You aggregate the answers of …" names what the agent is for: its role.
    if (opts.opening && /^you\s+[a-z]+/i.test(plain) && !/^you\s+(?:will|should|must|can|may|need|have to|only|always|never)\b/i.test(plain) && !hasDirectiveWord(plain)) return 'role';
    if (/^(?:you|you're|you’re)\b/i.test(plain) && !isDirective(plain)) return opts.opening ? 'role' : 'context';
    // What an example quotes is the example, not an instruction to this agent.
    if (EXAMPLE_LEAD.test(plain) && !DIRECTIVE.test(plain.replace(EXAMPLE_LEAD, '').replace(QUOTED, ' '))) return 'context';
  }
  if (isOnlyReference(core) || isOnlyReference(sentence)) return 'context';
  // An illustration of the rule before it stays context unless it binds on its own.
  if (ILLUSTRATION.test(core) && !BINDING.test(core)) return 'context';
  // "**GITHUB_READ_ONLY** - Set to 1 for read-only mode": an entry of a variable list.
  if (VARIABLE_ENTRY.test(sentence) && !BINDING.test(core)) return 'context';
  // A statement with its subject left out describes; under an instructing lead-in the same words
  // finish the lead's sentence ("The reply should:" + "Have a title") and stay a rule.
  if (ELLIPTICAL_STATEMENT.test(core) && !opts.instructingLead && !isQuestion(sentence) && !BINDING.test(core)) return 'context';
  // Items under "Here are some examples:" illustrate.
  if (opts.exampleLead && opts.listItem && !hasDirectiveWord(core)) return 'context';
  if (directive(label, core)) {
    if (opts.descriptiveSection && !hasDirectiveWord(core) && !/^you\b/i.test(core) && (label || (!startsImperative(core) && !hasCommandClause(core)))) return 'context';
    return 'rule';
  }
  if (isQuestion(sentence)) return 'rule';
  if (opts.listItem && !opts.descriptiveSection) {
    // Checklist items and noun phrases under an instructing lead-in are rules; "name: what it is",
    // "Runs the tests" and bare values are descriptions.
    if (opts.instructingLead) return 'rule';
    // "For queries requiring several perspectives": a condition with nothing to do under it.
    if (CONDITION_OPENING.test(core)) return 'context';
    // "Each subagent is a capable researcher": a definition; "Located in `e2e/`": a description.
    if (DEFINITION.test(core) || PARTICIPLE_OPENING.test(core)) return 'context';
    if (startsDescriptiveVerb(core)) return 'context';
    if (label) return 'context';
    return 'rule';
  }
  return 'context';
}

function isQuestion(sentence: string): boolean {
  return sentence.includes('?') && /\?["'”’)\]*_`]*\s*$/.test(sentence);
}

/** A table-of-contents link, a bare code span or value, a URL. */
function isOnlyReference(text: string): boolean {
  const t = text.trim();
  const c = t.charCodeAt(0);
  // Only a link, a code span, a URL or a file name can be a bare reference.
  if (c !== 91 /* [ */ && c !== 96 /* ` */ && c !== 104 /* h */ && !/\.(?:md|json|ya?ml|txt|toml)$/i.test(t)) return false;
  return /^(?:\[[^\]]*\]\([^)]*\)[\s,;.]*)+$/.test(t) || /^`[^`]*`[\s,;.]*$/.test(t) || /^https?:\/\/\S+$/.test(t) || /^[\w.-]+\.(?:md|json|ya?ml|txt|toml)$/i.test(t);
}

/** Section titles that announce description rather than instruction. */
export const DESCRIPTIVE_SECTION = /^(?:(?:project|repo(?:sitory)?|code ?base|directory|folder|file|key|important|root|main)\b.*\b(?:overview|structure|layout|files?|directories|details|facts|map|reference)|overview|about|background|context|architecture|directory layout|project structure|tech(?:nology)? stack|stack|prerequisites|requirements and dependencies|dependencies|environment(?: variables)?|variables|inputs?|glossary|definitions|table of contents|contents|toc|key details|main entry point|github workflows.*|ci\/cd.*|workflows?)$/i;

/**
 * Section titles that announce the shape of the agent's reply ("Output Format", "Reply format",
 * "Response structure"): each item under them says what to write, so an item that is only a noun
 * phrase ("Confidence: a number between 0 and 1.") is a rule, as under an instructing lead-in.
 */
export const FORMAT_SECTION = /^(?:(?:output|reply|response|answer|result|report)s?\s+(?:format|structure|template|shape|layout)|format\s+of\s+(?:the\s+|your\s+)?(?:output|reply|response|answer)|(?:expected\s+)?output|format)$/i;

/** A lead-in ("Run the full test suite:", "Analyse the method to find:") that itself instructs. */
export function isInstructingLead(text: string): boolean {
  const t = text.replace(/[*_]/g, '').replace(/:\s*$/, '').trim();
  // A one-word label ("Group:", "Safety:") names a part; it does not instruct.
  if (!t || !/\s/.test(t)) return false;
  if (EXAMPLE_LEAD.test(t)) return false;
  return isDirective(t);
}

/** A lead-in that stands as a rule of its own, not only as a caption for what follows. */
export function leadIsRule(text: string, captionOfCode: boolean): boolean {
  const t = text.replace(/[*_]/g, '').replace(/:\s*$/, '').trim();
  if (!isInstructingLead(text)) return false;
  // "The refactored method should:", "you MUST:": the sentence is finished by each item below, so
  // the items (carrying it as their lead) are the rules, not the unfinished lead-in.
  if (/\b(?:should|must|shall|will|need to|needs to|has to|have to)$/i.test(t)) return false;
  // "Run the full test suite:" over a command names the command; a lead-in with a condition or a
  // modal ("If …, create one …:", "ALWAYS run these in this order:") instructs on its own.
  if (captionOfCode) return /^(?:when|whenever|if|before|after|unless|once)\b/i.test(t) || hasDirectiveWord(t);
  // A bare condition ("If any tests fail:") is not an instruction.
  if (/^(?:when|whenever|if|before|after|unless|once|for)\b/i.test(t) && !hasCommandClause(t) && !hasDirectiveWord(t)) return false;
  return true;
}
