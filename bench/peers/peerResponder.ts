/**
 * The simulation world, taught the calls of the ax peer. Wraps the sim's own responder: it
 * recognises the calls `@ax-llm/ax` sends (its agent nodes, GEPA's critic and GEPA's proposer)
 * and hands every other call to `createSimResponder(world).respond` unchanged, so our optimizer
 * and the peers are answered by one world.
 *
 * Agent calls. ax puts a node's instruction between <task_definition> tags in the system prompt
 * and the inputs as "Field: value" lines in the user message; it expects "wireKey: value" back.
 * The reply is the world's own rolloutReply with the instruction as the system prompt, so an ax
 * agent answers exactly as our MAS's agent with the same prompt would (same skills covered, same
 * harmful rules, same task-fixed misleading draws, same vote weighting).
 *
 * Optimizer calls, with the noise model optimizerReplies.ts gives our optimizer:
 * - GEPA's critic (inputs targetId + minibatch → feedbackSummary) plays the part of our Φ: it reads
 *   the minibatch it is shown — for each example, the transcript the flow returned — and blames
 *   the causes those outputs show (a skipped check, a harmful rule followed). With probability
 *   noise.critic an example's blame is replaced by a decoy (a check that was not the problem,
 *   pinned on an agent of that transcript), as Φ's decoys are drawn per part.
 * - GEPA's proposer (inputs currentValue, feedbackSummary, minibatch … → newValue) plays the part of
 *   our Ψ: it acts on the blames in the feedback summary that concern the agent whose instruction
 *   it rewrites (so critic noise carries over, as it does from Φ to Ψ) — per cause the right fix
 *   with probability 1 − noise.suggestion, else a noise edit (edits.ts: a useless rule, another
 *   role's rule, a good rule deleted or watered down); with no cause, a spurious noise edit with
 *   probability noise.suggestion / 3. It can only change the instruction it is shown. Its output is
 *   a whole new instruction, so, as with our whole-block ablation, every rule no edit touches is
 *   lost with probability noise.rewriteDrift whenever the instruction is rewritten.
 * Draws are seeded by the scenario seed and the request content, like the sim's.
 */
import { createHash } from 'node:crypto';
import type { FakeChatRequest, FakeReply, Responder } from '../../test/support/fakeOpenAiServer';
import { agentOfSystemPrompt, createSimResponder, rolloutReply, type SimResponder, type World } from '../../test/support/sim';
import { blamesIn, blameText, causesInOutput, causeKey, uniqueCauses, type Cause, type ShownRule } from '../../src/core/sim/evidence';
import { fixFor, noiseEdit, type SimEdit } from '../../src/core/sim/edits';
import { pick, randomFor } from '../../src/core/sim/random';
import { DECISION_STEP, rulesOfInstruction, type TranscriptEntry } from './axFlow';

export type PeerCallKind = 'ax-role' | 'ax-aggregate' | 'ax-decision' | 'gepa-critic' | 'gepa-propose';

export interface PeerResponder {
  respond: Responder;
  /** The wrapped sim responder (its counts and refusals cover the calls it answered). */
  sim: SimResponder;
  counts: Partial<Record<PeerCallKind, number>>;
  refused: string[];
}

/** "Field: value" of ax's user message, up to the next field or the end. */
function axField(user: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\n)${name}: ([\\s\\S]*?)(?=\\n\\n[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*: |\\n*$)`).exec(user);
  return m?.[1];
}

function wireKeys(system: string): string[] {
  return [...system.matchAll(/\(wire key: `([A-Za-z0-9_]+)`\)/g)].map((m) => m[1]);
}

/** The JSON array that follows "Minibatch: " in a GEPA request. */
function minibatchOf(user: string): Array<{ score?: number; prediction?: { transcript?: TranscriptEntry[] } }> {
  const at = user.indexOf('Minibatch: ');
  if (at < 0) throw new Error('no "Minibatch:" field');
  const rest = user.slice(at + 'Minibatch: '.length);
  // The array ends at the last "]" before the next field; try the candidates from the longest.
  for (let end = rest.lastIndexOf(']'); end > 0; end = rest.lastIndexOf(']', end - 1)) {
    try {
      const value = JSON.parse(rest.slice(0, end + 1)) as unknown;
      if (Array.isArray(value)) return value;
    } catch {
      // not yet the end of the array
    }
  }
  throw new Error('the "Minibatch:" field holds no JSON array');
}

function critic(world: World, user: string, random: () => number): string {
  const batch = minibatchOf(user);
  const lines = batch.map((row, i) => {
    const transcript = row.prediction?.transcript ?? [];
    const truth = uniqueCauses(transcript.flatMap((e) => causesInOutput(e.agent, e.output)));
    let blames: Cause[] = truth;
    if (random() < world.scenario.noise.critic && transcript.length) {
      const keys = new Set(truth.map(causeKey));
      const decoys = transcript.flatMap((e) =>
        world.scenario.skills.map((k): Cause => ({ type: 'missing', agent: e.agent, skill: k.name })).filter((c) => !keys.has(causeKey(c))),
      );
      blames = decoys.length ? [pick(decoys, random)] : [];
    }
    const verdict = blames.length ? blames.map(blameText).join(' ') : 'No agent did anything wrong here.';
    return `Example ${i + 1} (score ${Number(row.score ?? 0).toFixed(2)}): ${verdict}`;
  });
  return lines.join('\n');
}

function propose(world: World, user: string, random: () => number): string {
  const current = axField(user, 'Current Value');
  if (current === undefined) throw new Error('no "Current Value:" field');
  const agent = agentOfSystemPrompt(current) ?? /root\.([a-z][a-z0-9-]*)::instruction/.exec(axField(user, 'Component Key') ?? '')?.[1];
  if (!agent || !world.agents.includes(agent)) throw new Error(`cannot tell whose instruction this is (${JSON.stringify(current.slice(0, 60))})`);
  const summary = axField(user, 'Feedback Summary') ?? '';
  const causes = uniqueCauses(blamesIn(summary).filter((c) => c.agent === agent));
  const ruleTexts = rulesOfInstruction(current);
  const rules: ShownRule[] = ruleTexts.map((text, i) => ({ id: `#${i}`, text }));
  const { suggestion, rewriteDrift } = world.scenario.noise;
  const edits: SimEdit[] = [];
  for (const cause of causes) {
    if (random() < suggestion) edits.push(noiseEdit(world, agent, rules, random));
    else {
      const fix = fixFor(world, agent, cause, rules);
      if (fix) edits.push(fix);
    }
  }
  if (!causes.length && random() < suggestion / 3) edits.push(noiseEdit(world, agent, rules, random));
  if (!edits.length) return current;

  const touched = new Set(edits.map((e) => e.targetUnitId).filter((id): id is string => id !== undefined));
  const next: string[] = [];
  for (const rule of rules) {
    const edit = edits.find((e) => e.targetUnitId === rule.id);
    if (edit?.op === 'DELETE') continue;
    if (!touched.has(rule.id) && random() < rewriteDrift) continue;
    next.push(edit?.op === 'MODIFY' && edit.newText ? edit.newText : rule.text);
  }
  for (const e of edits) if (e.op === 'ADD' && e.newText) next.push(e.newText);
  // The text around the rules (heading, role description) is kept as it was.
  const at = current.indexOf('## Rules');
  const head = at >= 0 ? current.slice(0, at) : `${current.trimEnd()}\n\n`;
  return `${head}## Rules\n\n${next.map((r) => `- ${r}`).join('\n')}`;
}

export function createPeerResponder(world: World): PeerResponder {
  const sim = createSimResponder(world);
  const counts: Partial<Record<PeerCallKind, number>> = {};
  const refused: string[] = [];
  const refuse = (reason: string): FakeReply => {
    refused.push(reason);
    return { error: { status: 500, message: `simulation world (peers): ${reason}`, type: 'server_error' } };
  };
  const count = (kind: PeerCallKind) => (counts[kind] = (counts[kind] ?? 0) + 1);

  const respond: Responder = (request: FakeChatRequest) => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const keys = wireKeys(system);
    if (keys.length === 0) return sim.respond(request);
    const key = keys[0];
    const reply = (text: string): FakeReply => `${key}: ${text}`;
    const digest = createHash('sha256').update(`${system}\u0000${user}`).digest('hex');
    try {
      if (key === 'contribution' || key === 'report') {
        const instruction = /<task_definition>\n?([\s\S]*?)\n?<\/task_definition>/.exec(system)?.[1];
        if (instruction === undefined) return refuse('an ax agent call without <task_definition>');
        const task = world.taskInText(axField(user, 'Task') ?? '');
        if (!task) return refuse('an ax agent call about no task of the scenario');
        const step = axField(user, 'Step') ?? '';
        if (key === 'contribution') {
          const agent = agentOfSystemPrompt(instruction);
          if (!agent) return refuse('an ax role call whose instruction has no "# The <agent>" heading');
          count('ax-role');
          return reply(rolloutReply(world, { kind: 'role', agent, task, system: instruction, user }));
        }
        const kind = step.includes(DECISION_STEP) ? 'decision' : 'aggregate';
        count(kind === 'decision' ? 'ax-decision' : 'ax-aggregate');
        // ax writes "Contributions: ### planner…"; the world reads "### <agent>" blocks at line starts.
        const material = user.replace(/^Contributions: /m, 'Contributions:\n');
        return reply(rolloutReply(world, { kind, agent: world.scenario.aggregator, task, system: instruction, user: material }));
      }
      if (key === 'feedbackSummary') {
        count('gepa-critic');
        return reply(critic(world, user, randomFor(world.scenario.seed, 'gepa-critic', digest)));
      }
      if (key === 'newValue') {
        count('gepa-propose');
        return reply(propose(world, user, randomFor(world.scenario.seed, 'gepa-propose', digest)));
      }
      return refuse(`an ax call with output field "${key}" the peer world does not know`);
    } catch (error) {
      return refuse(`${key}: ${(error as Error).message}`);
    }
  };
  return { respond, sim, counts, refused };
}
