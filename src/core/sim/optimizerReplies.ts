/**
 * The simulated optimizer LLM: replies to the optimizer's structured calls (credit, suggestions,
 * merges, rewrites; TRUCE, BCD and GBC) from what the world knows, spoiled by the scenario's noise.
 *
 * - Credit (Φ, BCD critic and peer, GBC influence): the truthful reading blames exactly the steps
 *   whose output shows a cause (a skipped check, a harmful rule followed). With probability
 *   noise.critic a judgement is replaced by a decoy — a blame, score or weight that is wrong on
 *   purpose (never the truth by accident, so the right-blame rate is exactly 1 − noise.critic).
 * - Suggestions (Ψ, BCD gradient, GBC): for every cause the reply acts on, the right fix with
 *   probability 1 − noise.suggestion, a noise edit otherwise; with nothing to act on, a spurious
 *   noise edit with probability noise.suggestion / 3. Ψ acts on the blames its credit block holds
 *   (so critic noise carries over into wrong edits) — and, for a step of its agent an intervention
 *   confirmed as decisive, the causes that step's output shows; the BCD gradient and GBC act on the causes
 *   the agent's own texts in the request show (their credit decides who is asked, not what).
 * - Without credit (the no-credit ablation; Ψ or a BCD gradient asked "no credit is available")
 *   the model does not analyse the steps: on a failed task it suspects the agent it is asked about
 *   with probability 1/|agents| and only then acts on that agent's causes (or, finding none, makes
 *   a generic edit). The same rule for every method.
 * - Global rewrite (the no-units ablation, any method): the model sees the agent's rules as a
 *   plain list and the batch's feedback about it. It acts on the blames about this agent found in
 *   that feedback (each distinct cause once, by the suggestion rule above, so critic noise carries
 *   over exactly as for Ψ), and writing the whole list again loses each rule it did not mean to
 *   touch with probability noise.rewriteDrift (rules marked "(keep)" are never lost or touched).
 *   A reply that changes nothing is the unchanged list. With credit ablated the feedback holds only
 *   outcomes and no steps, so a suspected agent (same 1/|agents| rule) can only get a generic edit.
 * - Harmless lapses (noise.herring, "Aside: I did not …"): a reply that reads an agent's own text
 *   without a located blame — Ψ or a BCD gradient without credit on a suspected agent, and the BCD
 *   gradient and GBC with credit (their credit names the agent, not the step) — takes every lapse
 *   it sees for a cause and writes a rule for it, which fixes nothing. Ψ with Φ's credit and the
 *   global rewrite act on located blames only, so they never do.
 * - Merge groups proposals that ask for the same change; rewrite turns an instruction into a rule.
 *
 * Every reply is checked against the optimizer's own zod schema before it is sent.
 */
import type { z } from 'zod';
import { BcdCriticSchema } from '../credit/bcd/prompts/bcdCritic';
import { BcdGradientSchema } from '../credit/bcd/prompts/bcdGradient';
import { BcdPeerSchema } from '../credit/bcd/prompts/bcdPeer';
import { GbcInfluenceSchema } from '../credit/gbc/prompts/gbcInfluence';
import { GbcSuggestSchema } from '../credit/gbc/prompts/gbcSuggest';
import { mergeReplySchema } from '../optimize/prompts/merge';
import { phiReplySchema } from '../credit/truce/prompts/phi';
import { globalRewriteReplySchema } from '../optimize/prompts/globalRewrite';
import { psiReplySchema } from '../credit/truce/prompts/psi';
import { rewriteReplySchema } from '../optimize/prompts/rewrite';
import {
  answerLetter,
  blamesIn,
  blameText,
  causeKey,
  causesInOutput,
  causesInSteps,
  herringsInOutput,
  isAbstention,
  partsIn,
  rulesIn,
  stepsIn,
  uniqueCauses,
  type Cause,
  type ShownRule,
  type ShownStep,
} from './evidence';
import { decisiveReply } from './decisiveReply';
import { fixFor, herringEdit, noiseEdit, type SimEdit } from './edits';
import { pick } from './random';
import { NEUTRAL_REWORDING, normalizeText, USELESS_RULES, type World } from './world';

export type OptimizerKind =
  | 'phi'
  | 'psi'
  | 'global-rewrite'
  | 'merge'
  | 'rewrite'
  | 'bcd-critic'
  | 'bcd-peer'
  | 'bcd-gradient'
  | 'gbc-influence'
  | 'gbc-suggest';

/** json_schema names and system-message markers of the optimizer's calls. */
export const OPTIMIZER_CALLS: ReadonlyArray<{ kind: OptimizerKind; schema: string; marker: string }> = [
  { kind: 'phi', schema: 'truce_credit', marker: '[truce:phi]' },
  { kind: 'psi', schema: 'truce_suggestions', marker: '[truce:psi]' },
  { kind: 'global-rewrite', schema: 'truce_global_rewrite', marker: '[truce:global-rewrite]' },
  { kind: 'merge', schema: 'truce_merge', marker: '[truce:merge]' },
  { kind: 'rewrite', schema: 'truce_rewrite', marker: '[truce:rewrite]' },
  { kind: 'bcd-critic', schema: 'bcd_critic', marker: '[truce:bcd-critic]' },
  { kind: 'bcd-peer', schema: 'bcd_peer', marker: '[truce:bcd-peer]' },
  { kind: 'bcd-gradient', schema: 'bcd_gradient', marker: '[truce:bcd-gradient]' },
  { kind: 'gbc-influence', schema: 'gbc_influence', marker: '[truce:gbc-influence]' },
  { kind: 'gbc-suggest', schema: 'gbc_suggestions', marker: '[truce:gbc-suggest]' },
];

const SCHEMAS: Record<OptimizerKind, z.ZodType> = {
  phi: phiReplySchema,
  psi: psiReplySchema,
  'global-rewrite': globalRewriteReplySchema,
  merge: mergeReplySchema,
  rewrite: rewriteReplySchema,
  'bcd-critic': BcdCriticSchema,
  'bcd-peer': BcdPeerSchema,
  'bcd-gradient': BcdGradientSchema,
  'gbc-influence': GbcInfluenceSchema,
  'gbc-suggest': GbcSuggestSchema,
};

export interface OptimizerCall {
  kind: OptimizerKind;
  system: string;
  /** The first user message: the call's material (a repair turn comes later and adds nothing). */
  user: string;
  /** Draws for this call, seeded by the scenario and the request content. */
  random: () => number;
}

export class SimReplyError extends Error {}

export function optimizerReply(world: World, call: OptimizerCall): unknown {
  const reply = build(world, call);
  const checked = SCHEMAS[call.kind].safeParse(reply);
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SimReplyError(`the simulated ${call.kind} reply does not match the optimizer's schema (${issues}); update src/core/sim/optimizerReplies.ts`);
  }
  return reply;
}

function build(world: World, call: OptimizerCall): unknown {
  switch (call.kind) {
    case 'phi':
      return phi(world, call);
    case 'psi':
      return psi(world, call);
    case 'global-rewrite':
      return globalRewrite(world, call);
    case 'merge':
      return merge(world, call);
    case 'rewrite':
      return rewrite(world, call);
    case 'bcd-critic':
      return bcdCritic(world, call);
    case 'bcd-peer':
      return bcdPeer(world, call);
    case 'bcd-gradient':
      return suggestFromOwnText(world, call, 'bcd');
    case 'gbc-influence':
      return gbcInfluence(world, call);
    case 'gbc-suggest':
      return suggestFromOwnText(world, call, 'gbc');
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------- credit

function phi(world: World, { user, random }: OptimizerCall) {
  const task = world.taskInText(user);
  const success = /^success: yes$/m.test(user);
  const parts = partsIn(user).map((part) => {
    const truth = uniqueCauses(causesInSteps(part.steps));
    const truthKeys = new Set(truth.map(causeKey));
    let issues: Array<{ stepIds: string[]; text: string }>;
    if (random() < world.scenario.noise.critic) {
      // A decoy: some step of the part blamed for a check that was not the problem.
      const decoys = part.steps.flatMap((s) =>
        world.scenario.skills.map((k) => ({ stepId: s.id, cause: { type: 'missing', agent: s.agent, skill: k.name } as Cause })).filter((d) => !truthKeys.has(causeKey(d.cause))),
      );
      issues = decoys.length ? [pick(decoys, random)].map((d) => ({ stepIds: [d.stepId], text: blameText(d.cause) })) : [];
    } else {
      const located = causesInSteps(part.steps);
      issues = truth.map((c) => ({ stepIds: located.filter((x) => causeKey(x) === causeKey(c)).map((x) => x.stepId), text: blameText(c) }));
    }
    const highlights = part.steps
      .filter((s) => task !== undefined && answerLetter(s.output) === task.reference && causesInOutput(s.agent, s.output).length === 0)
      .map((s) => ({ stepIds: [s.id], text: `${s.agent} did the checks its rules ask for and kept the right answer.` }));
    const bad = issues.length > 0;
    const overall = bad ? -0.7 : success ? 0.6 : 0;
    return {
      index: part.index,
      progress: bad ? -0.6 : success ? 0.5 : 0.1,
      coordination: bad ? -0.3 : 0.3,
      stage: bad ? -0.4 : 0.4,
      overall,
      summary: bad ? `The part went wrong: ${issues.map((i) => i.text).join(' ')} The team followed the wrong answer.` : 'The agents did what this stage asks for. Nothing here hurt the outcome.',
      highlights,
      issues,
    };
  });
  return { parts, ...decisiveReply(world, user, random) };
}

/** The score a truthful critic gives an utterance: culprits near 0, right answers high, abstentions in the middle. */
function truthfulScore(output: string, reference: string | undefined, agent: string): number {
  if (causesInOutput(agent, output).length) return 0.05;
  if (isAbstention(output)) return 0.5;
  const letter = answerLetter(output);
  if (!letter) return 0.3;
  return letter === reference ? 0.9 : 0.2;
}

function referenceIn(world: World, user: string): string | undefined {
  return /## Reference answer\n\n([A-D])\b/.exec(user)?.[1] ?? world.taskInText(user)?.reference;
}

function bcdCritic(world: World, { user, random }: OptimizerCall) {
  const head = /^## (?:Contribution of|State written by) (\S+) in round \d+\n\n/m.exec(user);
  if (!head) throw new SimReplyError('bcd-critic: no "## Contribution of …" or "## State written by …" section in the request');
  const text = user.slice(head.index + head[0].length);
  const truth = truthfulScore(text, referenceIn(world, user), head[1]);
  const noisy = random() < world.scenario.noise.critic;
  const score = noisy ? round2(1 - truth) : truth;
  return { score, rationale: score < 0.5 ? `${head[1]} leads the team away from the right answer.` : `${head[1]} keeps the team on the right answer.` };
}

function bcdPeer(world: World, { user, random }: OptimizerCall) {
  const section = /## Contributions in round \d+\n\n([\s\S]*)$/.exec(user)?.[1] ?? '';
  const reference = referenceIn(world, user);
  const ratings = section
    .split(/^### /m)
    .slice(1)
    .map((block) => {
      const agentId = block.slice(0, block.indexOf('\n')).trim();
      const text = block.slice(block.indexOf('\n') + 1);
      const truth = truthfulScore(text, reference, agentId);
      const score = random() < world.scenario.noise.critic ? round2(1 - truth) : truth;
      return { agentId, score, rationale: score < 0.5 ? 'Pulled the group towards a wrong answer.' : 'Helped the group hold the right answer.' };
    });
  return { ratings };
}

function gbcInfluence(world: World, { user, random }: OptimizerCall) {
  const outputHead = /^## Output of (\S+)\n\n/m.exec(user);
  if (!outputHead) throw new SimReplyError('gbc-influence: no "## Output of …" section in the request');
  const output = user.slice(outputHead.index + outputHead[0].length);
  const agent = outputHead[1];
  const inputs = user.slice(0, outputHead.index);
  const ownWay = causesInOutput(agent, output).length > 0;
  const letter = answerLetter(output);
  const shown = inputs
    .split(/^### Block /m)
    .slice(1)
    .map((block) => ({ blockId: /^(\S+)/.exec(block)?.[1] ?? '', text: block.slice(block.indexOf('\n') + 1) }));
  const blocks = shown.map(({ blockId, text }) => {
    // Roles in this world decide from their own rules, not the state; aggregators follow the letters.
    const follows = !ownWay && world.isRole(agent) === false && letter !== undefined && answerLetter(text) === letter;
    const truth = follows ? 0.9 : 0.1;
    const influence = random() < world.scenario.noise.critic ? round2(1 - truth) : truth;
    return { blockId, influence, rationale: influence > 0.5 ? 'The output carries this block\'s answer.' : 'The output does not depend on this block.' };
  });
  return { blocks };
}

// ---------------------------------------------------------------- suggestions

interface Decision {
  edits: SimEdit[];
  causes: Cause[];
}

/** The edits for the causes a reply acts on: fix or noise per cause, a spurious edit now and then. */
function decide(world: World, agent: string, causes: readonly Cause[], rules: readonly ShownRule[], random: () => number, max: number): Decision {
  const { suggestion } = world.scenario.noise;
  const edits: SimEdit[] = [];
  for (const cause of causes) {
    if (random() < suggestion) edits.push(noiseEdit(world, agent, rules, random));
    else {
      const fix = fixFor(world, agent, cause, rules);
      if (fix) edits.push(fix);
    }
  }
  if (!causes.length && random() < suggestion / 3) edits.push(noiseEdit(world, agent, rules, random));
  return { edits: edits.slice(0, max), causes: [...causes] };
}

function psiContext(world: World, user: string, random: () => number) {
  const agent = /<agent id="([^"]+)"/.exec(user)?.[1];
  if (!agent) throw new SimReplyError('psi: no <agent id="…"> in the request');
  const own = stepsIn(/<steps>\n([\s\S]*?)\n<\/steps>/.exec(user)?.[1] ?? '');
  const credit = /<credit>([\s\S]*?)<\/credit>/.exec(user)?.[1];
  const available = credit !== undefined && !credit.startsWith('not available');
  const failed = /^success: no$/m.test(user);
  const { causes, guess, suspected } = available ? { causes: uniqueCauses([...blamesIn(credit).filter((c) => c.agent === agent), ...confirmedCauses(credit, own)]), guess: false, suspected: false } : blindCauses(world, failed, () => causesInSteps(own), random);
  // A suspected agent's harmless lapses look like causes to a reader with no located blame.
  const herrings = suspected ? uniqueLapses(own.map((s) => s.output)) : [];
  const max = Number(/at most (\d+) edits/.exec(user)?.[1] ?? 3);
  return { agent, own, causes, guess: guess && herrings.length === 0, max, herrings };
}

/**
 * A step of the agent's own that an intervention confirmed as decisive (the optimizer's "Checked by
 * intervention" issue, optimize/blameFindings.ts): told which step decided the failure and shown
 * the reply that worked, the model reads that step closely and finds what it did wrong — every
 * cause its output shows, whatever the critic said about it.
 */
function confirmedCauses(credit: string, own: readonly ShownStep[]): Cause[] {
  const confirmed = new Set([...credit.matchAll(/^\s*- Checked by intervention: .*\[steps: ([^\]]*)\]$/gm)].flatMap((m) => m[1].split(', ')));
  return own.filter((s) => confirmed.has(s.id)).flatMap((s) => causesInOutput(s.agent, s.output));
}

/**
 * What a model asked without credit acts on: on a failed task it suspects the agent with
 * probability 1/|agents|; a suspected agent's causes (as far as the request shows them) are acted
 * on, and a suspected agent with none visible gets a generic edit (`guess`).
 */
function blindCauses(world: World, failed: boolean, visible: () => Cause[], random: () => number): { causes: Cause[]; guess: boolean; suspected: boolean } {
  const suspected = failed && random() < 1 / world.agents.length;
  const causes = suspected ? uniqueCauses(visible()) : [];
  return { causes, guess: suspected && causes.length === 0, suspected };
}

/** The distinct harmless lapses (noise.herring) the texts admit. */
function uniqueLapses(texts: readonly string[]): string[] {
  return [...new Set(texts.flatMap(herringsInOutput))];
}

/** Rules for lapses taken for causes, after the edits for the real causes. */
function withHerrings(edits: SimEdit[], agent: string, lapses: readonly string[], rules: readonly ShownRule[]): SimEdit[] {
  return [...edits, ...lapses.map((l) => herringEdit(agent, l, rules)).filter((e): e is SimEdit => e !== undefined)];
}

function psi(world: World, { user, random }: OptimizerCall) {
  const { agent, own, causes, guess, max, herrings } = psiContext(world, user, random);
  const rules = rulesIn(/<rules>\n([\s\S]*?)\n<\/rules>/.exec(user)?.[1] ?? '');
  const decision = decide(world, agent, causes, rules, random, max);
  if (guess) decision.edits.push(noiseEdit(world, agent, rules, random));
  decision.edits = withHerrings(decision.edits, agent, herrings, rules);
  const evidence = own.map((s) => s.id);
  return {
    suggestions: decision.edits.slice(0, max).map((e) => ({
      op: e.op,
      targetUnitId: e.targetUnitId ?? null,
      anchorUnitId: e.anchorUnitId ?? null,
      newText: e.newText ?? null,
      rationale: e.rationale,
      evidenceStepIds: evidence,
    })),
  };
}

/** The rules of a global-rewrite request (`- text` lines inside `<rules>`, "(keep)" marking fixed ones). */
function listedRules(user: string): Array<{ text: string; fixed: boolean }> {
  const block = /<rules>\n([\s\S]*?)\n<\/rules>/.exec(user)?.[1] ?? '';
  return block
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => {
      const fixed = / \(keep\)$/.test(l);
      return { text: l.slice(2).replace(/ \(keep\)$/, '').trim(), fixed };
    });
}

function globalRewrite(world: World, { user, random }: OptimizerCall) {
  const agent = /<agent id="([^"]+)"/.exec(user)?.[1];
  if (!agent) throw new SimReplyError('global-rewrite: no <agent id="…"> in the request');
  const feedback = /<feedback>\n([\s\S]*?)\n<\/feedback>/.exec(user)?.[1] ?? '';
  const current = listedRules(user);
  const noCredit = /^No credit is available/m.test(user);
  // No steps are shown, so without credit nothing but a generic edit is possible.
  const { causes, guess } = noCredit ? blindCauses(world, /outcome="failed/.test(feedback), () => [], random) : { causes: uniqueCauses(blamesIn(feedback).filter((c) => c.agent === agent)), guess: false };
  // Positions stand in for ids: the request has none. Fixed rules are not the model's to change.
  const rules: ShownRule[] = current.flatMap((r, i) => (r.fixed ? [] : [{ id: `#${i}`, text: r.text }]));
  const decision = decide(world, agent, causes, rules, random, Number.POSITIVE_INFINITY);
  if (guess) decision.edits.push(noiseEdit(world, agent, rules, random));
  if (!decision.edits.length) return { rules: current.map((r) => r.text), rationale: 'The feedback gives no reason to change these rules.' };

  const touched = new Set(decision.edits.map((e) => e.targetUnitId).filter((id): id is string => id !== undefined));
  const next: string[] = [];
  current.forEach((rule, i) => {
    const id = `#${i}`;
    if (rule.fixed) {
      next.push(rule.text);
      return;
    }
    const edit = decision.edits.find((e) => e.targetUnitId === id);
    if (edit?.op === 'DELETE') return;
    // A global rewrite drifts: rules nobody asked to change get lost on the way.
    if (!touched.has(id) && random() < world.scenario.noise.rewriteDrift) return;
    next.push(edit?.op === 'MODIFY' && edit.newText ? edit.newText : rule.text);
  });
  for (const e of decision.edits) if (e.op === 'ADD' && e.newText) next.push(e.newText);
  return { rules: next, rationale: decision.edits.map((e) => e.rationale).join(' ') };
}

/** BCD gradient and GBC suggest: the agent's own outputs in the request show what went wrong. */
function suggestFromOwnText(world: World, { user, random }: OptimizerCall, method: 'bcd' | 'gbc') {
  const agent = (method === 'bcd' ? /^## Agent (\S+)/m : /^## Rules of (\S+)/m).exec(user)?.[1];
  if (!agent) throw new SimReplyError(`${method}: the request does not name the agent ("## ${method === 'bcd' ? 'Agent' : 'Rules of'} …")`);
  const rules = rulesIn(user);
  let ownText: string;
  if (method === 'bcd') {
    ownText = /^## What it wrote\n\n([\s\S]*)$/m.exec(user)?.[1] ?? '';
  } else {
    const chain = /^## Attribution chain[^\n]*\n\n([\s\S]*?)(?=^## Rules of )/m.exec(user)?.[1] ?? '';
    ownText = chain
      .split(/^### /m)
      .filter((block) => /^\S+ by \S+ — this agent/.test(block))
      .join('\n');
  }
  const max = Number(/at most (\d+) (?:small )?edits/.exec(user)?.[1] ?? 3);
  let causes: Cause[];
  let guess = false;
  // Credit here names the agent, not the step: every lapse its own text admits looks like a cause.
  let lookedAt = true;
  if (method === 'bcd' && /^No credit is available/m.test(user)) {
    // Asked without credit: the same blind rule as Ψ without credit.
    const score = Number(/scored (\d+(?:\.\d+)?) out of 1/.exec(user)?.[1] ?? 0);
    let suspected: boolean;
    ({ causes, guess, suspected } = blindCauses(world, score < 1, () => causesInOutput(agent, ownText), random));
    lookedAt = suspected;
  } else causes = uniqueCauses(causesInOutput(agent, ownText));
  const herrings = lookedAt ? uniqueLapses([ownText]) : [];
  let decided = decide(world, agent, causes, rules, random, max).edits;
  if (guess && herrings.length === 0) decided.push(noiseEdit(world, agent, rules, random));
  decided = withHerrings(decided, agent, herrings, rules);
  const edits = decided.slice(0, max);
  const implicated = edits.filter((e) => e.targetUnitId).map((e) => ({ unitId: e.targetUnitId as string, why: e.rationale }));
  const diagnosis = causes.length ? causes.map(blameText).join(' ') : `Nothing in the rules of ${agent} explains the failure.`;
  const shaped = edits.map((e) => ({
    op: e.op,
    ...(e.targetUnitId ? { targetUnitId: e.targetUnitId } : {}),
    ...(e.anchorUnitId ? { anchorUnitId: e.anchorUnitId } : {}),
    ...(e.newText ? { newText: e.newText } : {}),
    rationale: e.rationale,
  }));
  return method === 'bcd' ? { diagnosis, implicatedUnits: implicated, edits: shaped } : { analysis: diagnosis, edits: shaped };
}

// ---------------------------------------------------------------- merge and rewrite

function merge(world: World, { user }: OptimizerCall) {
  const groups = new Map<string, number[]>();
  for (const m of user.matchAll(/^(\d+)\. (ADD|MODIFY|DELETE)(?: (\S+))?: (.*)$/gm)) {
    const text = m[4];
    const meaning = m[2] === 'DELETE' ? '' : (world.skillOfRule(text)?.name ?? normalizeText(text));
    const key = `${m[2]}|${m[3] ?? ''}|${meaning}`;
    groups.set(key, [...(groups.get(key) ?? []), Number(m[1])]);
  }
  return { groups: [...groups.values()].filter((g) => g.length >= 2).map((members) => ({ members })) };
}

function rewrite(world: World, { user, random }: OptimizerCall) {
  const instruction = /<instruction>([\s\S]*?)<\/instruction>/.exec(user)?.[1]?.trim() ?? '';
  const current = /<current>([\s\S]*?)<\/current>/.exec(user)?.[1]?.trim();
  const skill = world.skillOfRule(instruction);
  if (skill) return { text: skill.rule };
  if (current !== undefined && world.harmfulOfRule(current)) return { text: NEUTRAL_REWORDING };
  const sentence = instruction.split(/(?<=[.!?])\s/)[0]?.replace(/^(?:add|write|make) (?:a )?rule (?:that|to) /i, '').trim();
  return { text: sentence ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : pick(USELESS_RULES, random) };
}
