/**
 * Scoring a given text: which route an endpoint offers for it (probed once per endpoint, like
 * json_schema support in capabilities.ts) and one scoring call. Hosted Chat Completions APIs
 * return log-probabilities only for tokens the model generates, so most endpoints have no route;
 * local servers (vLLM, llama.cpp) usually have one.
 */
import type { LlmClient } from './client';
import { raceAbort } from './clock';
import { LlmError, ReplayMissError } from './errors';
import { PROBE_PHASE } from './capabilities';
import type { CallContext, ChatMessage, ContinuationScore, ScoringRoute } from './types';

const PROBE_TEMPLATE = 'truce-probe-scoring/1';

/** Routes in the order they are tried: the model's own chat template first. */
export const SCORING_ROUTES: readonly ScoringRoute[] = ['prompt-logprobs', 'echo'];

const CAPABILITY = { 'prompt-logprobs': 'promptLogprobs', echo: 'echoLogprobs' } as const;

/** The first route the endpoint answers with a usable score, or undefined when it has none. */
export async function scoringRoute(client: LlmClient, signal?: AbortSignal): Promise<ScoringRoute | undefined> {
  for (const route of SCORING_ROUTES) {
    const supported = await raceAbort(client.capabilityStore.get(client.endpointId, CAPABILITY[route], () => probeRoute(client, route)), signal);
    if (supported) return route;
  }
  return undefined;
}

/** The log-likelihood of `continuation` as the reply to `messages`; undefined when the server gave none. */
export async function scoreContinuation(
  client: LlmClient,
  messages: ChatMessage[],
  continuation: string,
  route: ScoringRoute,
  options: { templateVersion: string; context: CallContext },
): Promise<ContinuationScore | undefined> {
  const reply = await client.chat({ messages, score: { continuation, route }, templateVersion: options.templateVersion }, options.context);
  return reply.score;
}

/**
 * Supported when the server answers the route with a finite score. A rejected parameter, an
 * endpoint that does not exist (404) or an unreadable answer mean "no"; so does a replay that has
 * no recording of the probe, because only successful calls are recorded and a recorded run whose
 * probe failed made the same choice.
 */
async function probeRoute(client: LlmClient, route: ScoringRoute): Promise<boolean> {
  try {
    const score = await scoreContinuation(client, [{ role: 'user', content: 'Say OK.' }], 'OK', route, { templateVersion: PROBE_TEMPLATE, context: { phase: PROBE_PHASE, purpose: 'probe' } });
    return score !== undefined && Number.isFinite(score.logprob);
  } catch (error) {
    if (error instanceof ReplayMissError) return false;
    if (error instanceof LlmError && (error.kind === 'bad-request' || error.kind === 'model-not-found' || error.kind === 'bad-response')) return false;
    throw error;
  }
}
