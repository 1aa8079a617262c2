/**
 * An input for a step whose log did not record one (Who&When and other chat logs keep only what
 * each agent said): the agent's system prompt when the log has it, the task, and the outputs the
 * step read, each under its agent's heading — the shape the rounds MAS writes, so `withoutBlock`
 * removes a predecessor's block the same way. It is what the step could see, not what it saw (a
 * group-chat agent saw the whole history), so the weights it yields rank the step's direct
 * inputs only; the option that enables it (`credit.gbc.reconstructInputs`) is off by default.
 */
import type { ChatMessage } from '../../llm';
import type { Step, Trajectory } from '../../trajectory/schema';

export function inputFromReads(trajectory: Trajectory, step: Step, reads: readonly Step[]): ChatMessage[] | undefined {
  if (reads.length === 0) return undefined;
  const prompt = trajectory.agents.find((a) => a.id === step.agentId)?.prompt;
  const task = trajectory.task?.input;
  const parts = [...(task ? [`## Task\n${task}`] : []), ...reads.map((r) => `### ${r.agentId}\n${r.output.trim()}`)];
  return [...(prompt ? [{ role: 'system' as const, content: prompt }] : []), { role: 'user', content: parts.join('\n\n') }];
}
