/**
 * How well the prompt-file parser reads real public prompt files, as a prompt engineer reads them.
 * Scores `parsePromptDocument` against the hand annotation in ../shared/fixtures/prompts-expected
 * with the matching rule of its README:
 *
 * - units the parser sets aside as not-a-rule (kind `role` or `context`, or `context: true`) are
 *   dropped; the bench counts them and the expected rules among them (those are recall misses);
 * - every kept unit and every expected rule is normalised (lowercase; markdown markers, backticks,
 *   asterisks, quotes and punctuation removed; whitespace collapsed) into a bag of word tokens;
 * - a pair scores token-bag F1, and when either side has a lead-in, `lead + text` is scored too
 *   and the better F1 counts;
 * - pairs with F1 ≥ 0.5 are matched one-to-one, greedily by descending F1;
 * - precision = matched units / kept units, recall = matched rules / expected rules, micro-averaged
 *   per format and overall.
 *
 * A few fixture files are held out of tuning (HELD_OUT) and reported apart, so the figure on files
 * the parser was not tuned on stays visible. Prints a table per format, the set-aside counts and
 * the worst misses, and stores the figures under "unitsReal" in bench/results.json (other keys kept).
 *
 *   npm run bench:units-real [-- --misses 30] [-- --file <substring>] [-- --units]
 *
 * `--units` lists every unit of the chosen files in source order: ✓ kept and matched, ✗ kept and
 * matched by no expected rule, - set aside (role or context).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePromptDocument, type PolicyUnit, type PromptDocument } from '../src/core/units';
import { sharedFixturesDir } from '../test/support/sharedFixtures';

/** out/bench/unitsReal.js → the repository root. */
const ROOT = resolve(__dirname, '..', '..');

/** Kept out of tuning: one file of each larger format, reported apart. */
export const HELD_OUT = [
  'agents-md/pydantic-ai__pydantic_ai_slim__pydantic_ai__models__AGENTS.md',
  'anthropic-xml/claude-cookbooks__patterns__agents__prompts__citations_agent.md',
  'copilot/awesome-copilot__debian-linux-triage.prompt.md',
  'crewai/crewAI-examples__write_book_chapter_crew__agents.yaml',
  'cursor-mdc/awesome-cursorrules__security-devsecops-ssdls-appsec.mdc',
];

interface ExpectedRule {
  text: string;
  agent?: string;
  lead?: string;
}

interface ExpectedFile {
  source: string;
  rules: ExpectedRule[];
  context: string[];
}

interface Scored {
  source: string;
  format: string;
  heldOut: boolean;
  units: number;
  matchedUnits: number;
  rules: number;
  matchedRules: number;
  setAside: number;
  rulesSetAside: number;
  missedRules: { text: string; best: number; bestUnit?: string }[];
  extraUnits: { text: string; line: number; best: number; bestRule?: string }[];
  setAsideRules: string[];
  /** Every unit in source order: kept (matched or not) or set aside, for `--units`. */
  listing: { line: number; mark: '✓' | '✗' | '-'; kind: string; text: string; lead?: string }[];
}

/** Lowercase, markdown markers, backticks, asterisks, quotes and punctuation out, spaces collapsed. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function tokens(text: string): Map<string, number> {
  const bag = new Map<string, number>();
  for (const t of normalise(text).split(' ')) if (t) bag.set(t, (bag.get(t) ?? 0) + 1);
  return bag;
}

function size(bag: Map<string, number>): number {
  let n = 0;
  for (const v of bag.values()) n += v;
  return n;
}

export function f1(a: Map<string, number>, b: Map<string, number>): number {
  const na = size(a);
  const nb = size(b);
  if (na === 0 || nb === 0) return 0;
  let common = 0;
  for (const [t, n] of a) common += Math.min(n, b.get(t) ?? 0);
  return common === 0 ? 0 : (2 * common) / (na + nb);
}

interface Side {
  text: string;
  bags: Map<string, number>[];
}

function side(text: string, lead?: string): Side {
  const bags = [tokens(text)];
  if (lead) bags.push(tokens(`${lead} ${text}`));
  return { text, bags };
}

function pairScore(u: Side, r: Side): number {
  let best = 0;
  for (const a of u.bags) for (const b of r.bags) best = Math.max(best, f1(a, b));
  return best;
}

/** Greedy one-to-one matching by descending F1 over pairs ≥ 0.5: matched unit index → rule index. */
function match(units: Side[], rules: Side[], ruleAllowed: (r: number) => boolean = () => true): { unitOf: Map<number, number>; ruleOf: Map<number, number>; scores: number[][] } {
  const scores = units.map((u) => rules.map((r) => pairScore(u, r)));
  const pairs: [number, number, number][] = [];
  scores.forEach((row, u) => row.forEach((s, r) => s >= 0.5 && ruleAllowed(r) && pairs.push([s, u, r])));
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const unitOf = new Map<number, number>();
  const ruleOf = new Map<number, number>();
  for (const [, u, r] of pairs) {
    if (unitOf.has(u) || ruleOf.has(r)) continue;
    unitOf.set(u, r);
    ruleOf.set(r, u);
  }
  return { unitOf, ruleOf, scores };
}

const isSetAside = (u: PolicyUnit & { context?: boolean }): boolean => (u.kind as string) === 'role' || (u.kind as string) === 'context' || u.context === true;

/** The units a parse keeps as rules, and the ones it set aside (role statements, context). */
export function unitsOf(doc: PromptDocument): { kept: PolicyUnit[]; setAside: PolicyUnit[] } {
  const kept: PolicyUnit[] = [];
  const setAside: PolicyUnit[] = [];
  for (const a of doc.agents) {
    for (const u of a.units) (isSetAside(u) ? setAside : kept).push(u);
    for (const u of (a as { context?: PolicyUnit[] }).context ?? []) setAside.push(u);
  }
  return { kept, setAside };
}

function scoreFile(dir: string, expected: ExpectedFile): Scored {
  const path = join(dir, 'prompts', expected.source);
  const text = readFileSync(path, 'utf8');
  const doc = parsePromptDocument(text, { uri: path });
  const { kept, setAside } = unitsOf(doc);
  const unitSides = kept.map((u) => side(u.text, (u as { lead?: string }).lead));
  const ruleSides = expected.rules.map((r) => side(r.text, r.lead));
  const { unitOf, ruleOf, scores } = match(unitSides, ruleSides);
  // The expected rules a set-aside unit would have matched, among those no kept unit matched.
  const asideSides = setAside.map((u) => side(u.text, (u as { lead?: string }).lead));
  const aside = match(asideSides, ruleSides, (r) => !ruleOf.has(r));
  const missedRules = expected.rules
    .map((r, i) => ({ r, i }))
    .filter(({ i }) => !ruleOf.has(i))
    .map(({ r, i }) => {
      let best = 0;
      let bestUnit: string | undefined;
      scores.forEach((row, u) => {
        if (row[i] > best) [best, bestUnit] = [row[i], kept[u].text];
      });
      return { text: r.lead ? `[${r.lead}] ${r.text}` : r.text, best, bestUnit };
    });
  const extraUnits = kept
    .map((u, i) => ({ u, i }))
    .filter(({ i }) => !unitOf.has(i))
    .map(({ u, i }) => {
      let best = 0;
      let bestRule: string | undefined;
      scores[i].forEach((s, r) => {
        if (s > best) [best, bestRule] = [s, expected.rules[r].text];
      });
      return { text: u.text, line: u.range.start.line + 1, best, bestRule };
    });
  return {
    source: expected.source,
    format: expected.source.split('/')[0],
    heldOut: HELD_OUT.includes(expected.source),
    units: kept.length,
    matchedUnits: unitOf.size,
    rules: expected.rules.length,
    matchedRules: ruleOf.size,
    setAside: setAside.length,
    rulesSetAside: aside.ruleOf.size,
    missedRules,
    extraUnits,
    setAsideRules: [...aside.ruleOf.keys()].map((r) => expected.rules[r].text),
    listing: [
      ...kept.map((u, i) => ({ line: u.range.start.line + 1, offset: u.range.start.offset, mark: unitOf.has(i) ? ('✓' as const) : ('✗' as const), kind: u.kind as string, text: u.text, lead: (u as { lead?: string }).lead })),
      ...setAside.map((u) => ({ line: u.range.start.line + 1, offset: u.range.start.offset, mark: '-' as const, kind: u.kind as string, text: u.text, lead: (u as { lead?: string }).lead })),
    ]
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset: _offset, ...rest }) => rest),
  };
}

interface Figures {
  files: number;
  units: number;
  rules: number;
  precision: number;
  recall: number;
  setAside: number;
  rulesSetAside: number;
}

function sum(files: Scored[]): Figures {
  const t = files.reduce(
    (a, f) => ({ units: a.units + f.units, mu: a.mu + f.matchedUnits, rules: a.rules + f.rules, mr: a.mr + f.matchedRules, aside: a.aside + f.setAside, ra: a.ra + f.rulesSetAside }),
    { units: 0, mu: 0, rules: 0, mr: 0, aside: 0, ra: 0 },
  );
  const round = (x: number) => Number(x.toFixed(3));
  return {
    files: files.length,
    units: t.units,
    rules: t.rules,
    // No units and no rules is a perfect reading of a file without rules.
    precision: round(t.units ? t.mu / t.units : t.rules ? 0 : 1),
    recall: round(t.rules ? t.mr / t.rules : 1),
    setAside: t.aside,
    rulesSetAside: t.ra,
  };
}

function byFormat(files: Scored[]): Record<string, Figures> {
  const formats = [...new Set(files.map((f) => f.format))].sort();
  const out: Record<string, Figures> = {};
  for (const fmt of formats) out[fmt] = sum(files.filter((f) => f.format === fmt));
  out.overall = sum(files);
  return out;
}

function table(title: string, rows: Record<string, Figures>): string {
  const head = `${title}\n| format | files | units | rules | precision | recall | set aside | rules set aside |\n|---|---|---|---|---|---|---|---|`;
  const lines = Object.entries(rows).map(([k, f]) => `| ${k} | ${f.files} | ${f.units} | ${f.rules} | ${f.precision.toFixed(2)} | ${f.recall.toFixed(2)} | ${f.setAside} | ${f.rulesSetAside} |`);
  return [head, ...lines].join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const clip = (s: string, n = 110) => {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

function main(): void {
  const dir = sharedFixturesDir();
  if (!dir) {
    process.stdout.write('skipped: bench:units-real needs ../shared/fixtures next to the repository, which is absent\n');
    return;
  }
  const expectedDir = join(dir, 'prompts-expected');
  const files: Scored[] = [];
  for (const fmt of readdirSync(expectedDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of readdirSync(join(expectedDir, fmt)).filter((n) => n.endsWith('.expected.json')).sort()) {
      const expected = JSON.parse(readFileSync(join(expectedDir, fmt, name), 'utf8')) as ExpectedFile;
      files.push(scoreFile(dir, expected));
    }
  }
  const tuning = files.filter((f) => !f.heldOut);
  const heldOut = files.filter((f) => f.heldOut);
  const all = byFormat(files);
  const report = {
    generatedAt: new Date().toISOString(),
    heldOutFiles: HELD_OUT,
    all,
    tuning: byFormat(tuning),
    heldOut: byFormat(heldOut),
    perFile: files.map((f) => ({ source: f.source, heldOut: f.heldOut, units: f.units, rules: f.rules, matchedUnits: f.matchedUnits, matchedRules: f.matchedRules, setAside: f.setAside, rulesSetAside: f.rulesSetAside })),
  };

  const limit = Number(arg('misses') ?? 25);
  const only = arg('file');
  const shown = (only ? files.filter((f) => f.source.includes(only)) : tuning).sort((a, b) => b.missedRules.length + b.extraUnits.length - (a.missedRules.length + a.extraUnits.length));
  const out: string[] = [table('All files', all), '', table(`Tuning files (${tuning.length})`, report.tuning), '', table(`Held-out files (${heldOut.length}, not tuned on)`, report.heldOut), ''];
  const missed = shown.flatMap((f) => f.missedRules.map((m) => ({ f, m }))).sort((a, b) => a.m.best - b.m.best);
  const extra = shown.flatMap((f) => f.extraUnits.map((e) => ({ f, e }))).sort((a, b) => a.e.best - b.e.best);
  const aside = shown.flatMap((f) => f.setAsideRules.map((t) => ({ f, t })));
  out.push(`Worst recall misses (expected rules no unit matched; ${missed.length} in ${only ? 'the chosen files' : 'the tuning files'}):`);
  for (const { f, m } of missed.slice(0, limit)) out.push(`  ${f.source.split('/')[1].slice(0, 40)}: "${clip(m.text)}" (best F1 ${m.best.toFixed(2)}${m.bestUnit ? ` with "${clip(m.bestUnit, 60)}"` : ''})`);
  out.push(`Worst precision misses (units matching no expected rule; ${extra.length}):`);
  for (const { f, e } of extra.slice(0, limit)) out.push(`  ${f.source.split('/')[1].slice(0, 40)}:${e.line}: "${clip(e.text)}" (best F1 ${e.best.toFixed(2)})`);
  if (process.argv.includes('--units')) {
    // Every unit of the chosen files: ✓ kept and matched, ✗ kept and unmatched, - set aside.
    for (const f of shown) {
      out.push(`Units of ${f.source}:`);
      for (const u of f.listing) out.push(`  ${u.mark} ${u.line} ${u.kind}${u.lead ? ` [${clip(u.lead, 40)}]` : ''} ${clip(u.text, 140)}`);
    }
  }
  if (aside.length) {
    out.push(`Expected rules among the set-aside units (${aside.length}):`);
    for (const { f, t } of aside.slice(0, limit)) out.push(`  ${f.source.split('/')[1].slice(0, 40)}: "${clip(t)}"`);
  }

  const resultsPath = join(ROOT, 'bench', 'results.json');
  const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  results.unitsReal = report;
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  out.push('', 'written: bench/results.json (key "unitsReal")');
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main();
