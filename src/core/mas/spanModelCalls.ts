/**
 * The model calls a MAS's spans report (gen_ai.usage.*, OpenInference llm.token_count.*,
 * OpenLLMetry llm.usage.*), read from the trajectory the OTLP importer built: it makes one `llm`
 * step per model call (only the innermost of nested model spans), with the span's token counts and
 * its agent. A span without token counts is still a call: its tokens are estimated from its text.
 */
import { estimateTokens } from '../llm/tokens';
import type { Step } from '../trajectory/schema';
import type { ReportedModelCall } from './masGateway';

function inputText(step: Step): string {
  if (step.input === undefined) return '';
  return typeof step.input === 'string' ? step.input : step.input.map((m) => m.content).join('\n');
}

export function spanModelCalls(steps: readonly Step[]): ReportedModelCall[] {
  const calls: ReportedModelCall[] = [];
  for (const step of steps) {
    if (step.kind !== 'llm') continue;
    const { in: input, out: output, total } = step.usage;
    const counted = input > 0 || output > 0 || (total ?? 0) > 0;
    const model = typeof step.attrs.model === 'string' ? step.attrs.model : undefined;
    calls.push({
      agent: step.agentId,
      ...(model !== undefined ? { model } : {}),
      // A total the source could not split is counted as input: the tokens are not lost, their price split is unknown.
      inputTokens: counted ? (input > 0 || output > 0 ? input : (total ?? 0)) : estimateTokens(inputText(step)),
      outputTokens: counted ? output : estimateTokens(step.output),
      estimated: !counted || (input === 0 && output === 0),
      ...(step.t_start !== undefined ? { startedAt: step.t_start } : {}),
      ...(step.t_start !== undefined && step.t_end !== undefined ? { latencyMs: Math.max(0, step.t_end - step.t_start) } : {}),
      ...(typeof step.attrs.spanId === 'string' ? { spanId: step.attrs.spanId } : {}),
    });
  }
  return calls;
}
