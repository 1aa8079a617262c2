/**
 * A scripted world in which every credit method (TRUCE, BCD, GBC) can find the same defect in the
 * debate example: the proposer answers right only when its prompt holds PROPOSER_RULE, and the
 * aggregator and the judge pass the proposer's answer on. The optimizer's replies point at the
 * proposer and propose that rule, each in the shape its method asks for; anything else gets an
 * empty (but schema-valid) reply.
 */
import type { FakeChatRequest, FakeReply } from '../../support/fakeOpenAiServer';
import { taskOfRequest } from '../run/debateWorkspace';
import { TASKS } from './optimizeWorld';

export const PROPOSER_RULE = 'Recompute the key number of the question before you name your answer.';

const FIX = { op: 'ADD', newText: PROPOSER_RULE, rationale: 'The proposer named an answer without recomputing the key number.' };

function optimizerReply(system: string, user: string): unknown {
  if (system.includes('[truce:phi]')) {
    const failed = user.includes('success: no');
    const blocks = user.split('<part index="').slice(1);
    return {
      parts: blocks.map((block) => {
        const index = Number(block.slice(0, block.indexOf('"')));
        const proposerSteps = [...block.matchAll(/<step id="([^"]+)"[^>]* agent="proposer"/g)].map((m) => m[1] as string);
        return {
          index,
          progress: failed ? -0.5 : 0.5,
          coordination: 0,
          stage: 0,
          overall: failed ? -0.6 : 0.5,
          summary: `part ${index}`,
          highlights: [],
          issues: failed && proposerSteps.length ? [{ stepIds: proposerSteps, text: 'The proposer named a wrong answer without recomputing.' }] : [],
        };
      }),
    };
  }
  if (system.includes('[truce:psi]')) {
    if (!user.includes('<agent id="proposer"')) return { suggestions: [] };
    return { suggestions: [{ ...FIX, targetUnitId: null, anchorUnitId: null, evidenceStepIds: [] }] };
  }
  if (system.includes('[truce:bcd-critic]')) {
    const low = /^## (?:Contribution of|State written by) proposer /m.test(user);
    return { score: low ? 0.1 : 0.8, rationale: low ? 'The proposer led the team to a wrong answer.' : 'Kept to its job.' };
  }
  if (system.includes('[truce:bcd-peer]')) {
    const agents = [...user.matchAll(/^### (\S+)/gm)].map((m) => m[1] as string);
    return { ratings: agents.map((agentId) => ({ agentId, score: agentId === 'proposer' ? 0.1 : 0.8, rationale: 'peer view' })) };
  }
  if (system.includes('[truce:bcd-gradient]')) {
    const proposer = /^## Agent proposer\b/m.test(user);
    return { diagnosis: proposer ? FIX.rationale : 'Nothing to change.', implicatedUnits: [], edits: proposer ? [FIX] : [] };
  }
  if (system.includes('[truce:gbc-influence]')) {
    const blocks = [...user.matchAll(/^### Block (\S+)/gm)].map((m) => m[1] as string);
    return { blocks: blocks.map((blockId) => ({ blockId, influence: 0.9, rationale: 'The output carries this block\'s answer.' })) };
  }
  if (system.includes('[truce:gbc-suggest]')) {
    const proposer = /^## Rules of proposer\b/m.test(user);
    return { analysis: proposer ? FIX.rationale : 'Nothing to change.', edits: proposer ? [FIX] : [] };
  }
  if (system.includes('[truce:merge]')) return { groups: [] };
  if (system.includes('[truce:rewrite]')) return { text: PROPOSER_RULE };
  return {};
}

export function methodsResponder() {
  return (request: FakeChatRequest): FakeReply => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = request.lastUser;
    if (system.includes('[truce:')) return { json: optimizerReply(system, user) };
    const task = taskOfRequest(request.messages, TASKS);
    if (!task) return 'OK';
    const all = request.messages.map((m) => m.content).join('\n');
    if (system.includes('# Proposer')) {
      const answer = system.includes(PROPOSER_RULE) ? task.reference : task.reference === 'A' ? 'B' : 'A';
      return `Answer: ${answer}\nReasons: 1. It follows.\nConfidence: 0.8`;
    }
    // Everyone after the proposer passes its latest answer on; with none in view, a wrong one.
    const carried = [...all.matchAll(/(?:Answer|Leading answer|Final answer): ([A-D])\b/g)].pop()?.[1] ?? (task.reference === 'A' ? 'B' : 'A');
    if (system.includes('judge of a debate')) return `Final answer: ${carried}`;
    if (user.includes('Write the shared state')) return `Leading answer: ${carried}.`;
    return 'No real flaw.';
  };
}
