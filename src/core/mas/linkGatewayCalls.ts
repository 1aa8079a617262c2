/**
 * Links the steps of a command MAS's trajectory to the gateway calls that produced them, so that a
 * step blamed by credit names the model call behind it (`attrs.callId`). A step is produced by a
 * call when its output is that call's reply: each step takes the earliest unlinked call whose reply
 * text it equals, a call of the step's own agent first. Steps no call answered (tool results,
 * messages the program composed itself) stay unlinked; a step that names its call already keeps it.
 */
import type { Step } from '../trajectory/schema';
import type { GatewayCallSummary } from './masGateway';

export function linkGatewayCalls(steps: Step[], calls: readonly GatewayCallSummary[]): number {
  const open = calls.filter((c) => c.ok && c.replyText.trim() !== '');
  const taken = new Set<string>(steps.map((s) => s.attrs.callId).filter((id): id is string => typeof id === 'string'));
  let linked = 0;
  for (const step of steps) {
    if (typeof step.attrs.callId === 'string') continue;
    const output = step.output.trim();
    if (output === '') continue;
    const matches = open.filter((c) => !taken.has(c.id) && c.replyText.trim() === output);
    const call = matches.find((c) => c.agent === step.agentId) ?? matches[0];
    if (!call) continue;
    taken.add(call.id);
    step.attrs = { ...step.attrs, callId: call.id };
    linked++;
  }
  return linked;
}
