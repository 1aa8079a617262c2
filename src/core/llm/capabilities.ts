/**
 * What an endpoint can do, found out by asking it once: does it honour `response_format:
 * json_schema`, does it return token log-probabilities? Answers are cached per base URL + model.
 * Probes are ordinary calls (phase 'probe'), so they are accounted, budgeted, and recorded in the
 * response cache — a replayed run reaches the same answers without the network.
 */
import type { LlmClient } from './client';
import { raceAbort } from './clock';
import { LlmError } from './errors';
import { extractJson } from './extractJson';
import type { Capabilities } from './capabilityStore';

export { CapabilityStore, type Capabilities, type Capability } from './capabilityStore';

export const PROBE_PHASE = 'probe';
const PROBE_TEMPLATE = 'truce-probe/1';

/**
 * The probe's own options are fixed (no temperature: reasoning models refuse anything but the
 * default, which would read as "unsupported"). The probe runs without the caller's signal so that
 * one caller cancelling does not fail the shared probe for the others; each caller still stops
 * waiting when its own signal aborts.
 */
export function supportsJsonSchema(client: LlmClient, signal?: AbortSignal): Promise<boolean> {
  return raceAbort(client.capabilityStore.get(client.endpointId, 'jsonSchema', () => probeJsonSchema(client)), signal);
}

export function supportsLogprobs(client: LlmClient, signal?: AbortSignal): Promise<boolean> {
  return raceAbort(client.capabilityStore.get(client.endpointId, 'logprobs', () => probeLogprobs(client)), signal);
}

export async function probeCapabilities(client: LlmClient, signal?: AbortSignal): Promise<Capabilities> {
  const [jsonSchema, logprobs] = await Promise.all([supportsJsonSchema(client, signal), supportsLogprobs(client, signal)]);
  return { jsonSchema, logprobs };
}

/**
 * Supported when the server accepts the parameter and answers with JSON. Servers that ignore
 * `response_format` and chat back in prose count as unsupported: prompting works better there.
 */
async function probeJsonSchema(client: LlmClient): Promise<boolean> {
  try {
    const reply = await client.chat(
      {
        messages: [{ role: 'user', content: 'Return the JSON object {"ok": true} and nothing else.' }],
        maxTokens: 64,
        templateVersion: PROBE_TEMPLATE,
        responseFormat: {
          type: 'json_schema',
          name: 'truce_probe',
          strict: true,
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
        },
      },
      { phase: PROBE_PHASE, purpose: 'probe' },
    );
    const parsed = extractJson(reply.content);
    return parsed.ok && parsed.source === 'whole' && typeof parsed.value === 'object' && parsed.value !== null;
  } catch (error) {
    if (isRejectedParameter(error)) return false;
    throw error;
  }
}

async function probeLogprobs(client: LlmClient): Promise<boolean> {
  try {
    const reply = await client.chat(
      {
        messages: [{ role: 'user', content: 'Say OK.' }],
        maxTokens: 8,
        templateVersion: PROBE_TEMPLATE,
        logprobs: { top: 1 },
      },
      { phase: PROBE_PHASE, purpose: 'probe' },
    );
    return (reply.logprobs?.length ?? 0) > 0;
  } catch (error) {
    if (isRejectedParameter(error)) return false;
    throw error;
  }
}

function isRejectedParameter(error: unknown): boolean {
  return error instanceof LlmError && error.kind === 'bad-request';
}
