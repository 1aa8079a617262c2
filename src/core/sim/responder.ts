/**
 * The world behind the fake OpenAI server: recognises every call TRUCE makes (the executor's
 * probes, the rounds-MAS rollouts, the optimizer's structured calls) and answers it from the world.
 * A call it does not recognise gets a 500 that says what arrived, so a new call kind shows up as a
 * visible failure instead of a silently wrong figure.
 *
 * Replies depend only on the scenario and the request content, never on call order.
 */
import { createHash } from 'node:crypto';
import type { SimChatRequest, SimReply, SimResponderFn } from './chatTypes';
import { CORRECTION_SCHEMA, correctionReply, CorrectionError } from './correctionReply';
import { OPTIMIZER_CALLS, optimizerReply, SimReplyError, type OptimizerKind } from './optimizerReplies';
import { randomFor } from './random';
import { rolloutKindOf, rolloutReply, type RolloutKind } from './rollout';
import type { World } from './world';

export type CallKind = 'probe' | RolloutKind | OptimizerKind | 'correction';

export interface SimResponder {
  respond: SimResponderFn;
  /** Calls answered, per kind (a view for benches and tests; the replies never depend on it). */
  counts: Partial<Record<CallKind, number>>;
  /** Requests refused with a 500, with the reason. */
  refused: string[];
}

export type Classified =
  | { kind: 'probe'; reply: SimReply }
  | { kind: RolloutKind; agent: string; system: string; user: string }
  | { kind: OptimizerKind; system: string; user: string }
  | { kind: 'correction'; user: string }
  | { kind: 'unknown'; reason: string };

export function classify(world: World, request: SimChatRequest): Classified {
  const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const schema = request.jsonSchema?.name;
  if (schema === 'truce_probe') return { kind: 'probe', reply: { json: { ok: true } } };
  if (!system && /^(Reply with the single word OK\.|Say OK\.)$/.test(user.trim())) return { kind: 'probe', reply: 'OK' };

  if (schema === CORRECTION_SCHEMA) return { kind: 'correction', user };
  const optimizer = OPTIMIZER_CALLS.find((c) => (schema !== undefined ? c.schema === schema : system.includes(c.marker)));
  if (optimizer) return { kind: optimizer.kind, system, user };
  if (schema !== undefined) return { kind: 'unknown', reason: `an optimizer call with json_schema "${schema}", which the simulation world does not know` };

  const rollout = rolloutKindOf(user);
  if (rollout) {
    const agent = rollout === 'role' ? world.agentOfSystemPrompt(system) : rollout === 'decision' ? world.decider : world.scenario.aggregator;
    if (!agent) {
      const markers = Object.entries(world.scenario.markers ?? {}).map(([id, marker]) => `${id}: ${JSON.stringify(marker)}`);
      return {
        kind: 'unknown',
        reason: markers.length
          ? `a role call whose system prompt starts with none of the world's markers (${markers.join(', ')}); keep each role prompt's first line, or update the markers`
          : 'a role call whose system prompt has no "# The <agent>" heading',
      };
    }
    return { kind: rollout, agent, system, user };
  }
  return { kind: 'unknown', reason: `a call it cannot place (system starts ${JSON.stringify(system.slice(0, 80))}, user starts ${JSON.stringify(user.slice(0, 80))})` };
}

export function createSimResponder(world: World): SimResponder {
  const counts: Partial<Record<CallKind, number>> = {};
  const refused: string[] = [];
  const refuse = (reason: string): SimReply => {
    refused.push(reason);
    return { error: { status: 500, message: `simulation world: ${reason}. Teach src/core/sim/ this call.`, type: 'server_error' } };
  };
  const respond: SimResponderFn = (request) => {
    const call = classify(world, request);
    if (call.kind === 'unknown') return refuse(call.reason);
    counts[call.kind] = (counts[call.kind] ?? 0) + 1;
    if (call.kind === 'probe') return call.reply;
    if (call.kind === 'correction') {
      try {
        return { json: correctionReply(world, call.user) };
      } catch (error) {
        if (error instanceof CorrectionError) return refuse(error.message);
        throw error;
      }
    }
    if (call.kind === 'role' || call.kind === 'aggregate' || call.kind === 'decision') {
      const task = world.taskInText(call.user);
      if (!task) return refuse(`a ${call.kind} call about no task of the scenario`);
      return rolloutReply(world, { kind: call.kind, agent: call.agent, task, system: call.system, user: call.user });
    }
    const digest = createHash('sha256')
      .update(request.messages.map((m) => `${m.role}\u0000${m.content}`).join('\u0001'))
      .digest('hex');
    try {
      return { json: optimizerReply(world, { kind: call.kind, system: call.system, user: call.user, random: randomFor(world.scenario.seed, call.kind, digest) }) };
    } catch (error) {
      if (error instanceof SimReplyError) return refuse(error.message);
      throw error;
    }
  };
  return { respond, counts, refused };
}
