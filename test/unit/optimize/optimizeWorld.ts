/**
 * A scripted world for end-to-end optimizer tests: the debate example in a temp folder, with a
 * responder that plays the MAS and the optimizer. The judge gets the answer right only when its
 * prompt holds the planted rule (or always, or never — per scenario); Φ blames the judge's final
 * step; Ψ proposes the planted rule for the judge and nothing for the others.
 */
import type { FakeChatRequest, FakeReply } from '../../support/fakeOpenAiServer';
import { debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from '../run/debateWorkspace';

export const PLANTED = 'Check every arithmetic step yourself before you decide.';
export const TASKS = exampleTasks();

export type JudgeMode = 'needs-rule' | 'never';

export function optimizerWorkspace(url: string, split = '{ train: 4, val: 12, test: 4 }'): Workspace {
  return debateWorkspace(url, (yaml) =>
    yaml
      .replace('split: { train: 0.6, val: 0.2, test: 0.2 }', `split: ${split}`)
      .replace('  executor:', `  optimizer:\n    baseUrl: ${url}\n    model: fake-model\n    temperature: 0\n    structuredOutput: json_schema\n  executor:`)
      .replace('maxCalls: 600', 'maxCalls: 5000'),
  );
}

export interface WorldLog {
  phi: number;
  psi: number;
}

/** `stubborn`: ids of tasks the MAS gets wrong even with the planted rule (a fix that helps on most tasks, not all). */
export function optimizerResponder(mode: JudgeMode, log: WorldLog = { phi: 0, psi: 0 }, psiReply?: (req: FakeChatRequest) => unknown, stubborn: ReadonlySet<string> = new Set()) {
  return (request: FakeChatRequest): FakeReply => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = request.lastUser;
    if (system.includes('[truce:phi]')) {
      log.phi++;
      const failed = user.includes('success: no');
      // Each part cites only steps it holds (plus one invented id, which must be dropped).
      const blocks = user.split('<part index="').slice(1);
      const parts = blocks.map((block) => {
        const index = Number(block.slice(0, block.indexOf('"')));
        const cited = ['final', 'r1.skeptic'].filter((id) => block.includes(`<step id="${id}"`));
        return {
          index,
          progress: -0.5,
          coordination: 0,
          stage: 0,
          overall: failed ? -0.7 : 0.5,
          summary: `part ${index}`,
          highlights: [],
          issues: failed && cited.length ? [{ stepIds: [...cited, 'r9.ghost'], text: 'The judge accepted a miscalculation without checking it.' }] : [],
        };
      });
      return { json: { parts } };
    }
    if (system.includes('[truce:psi]')) {
      log.psi++;
      if (psiReply) return { json: psiReply(request) };
      if (!user.includes('<agent id="judge"')) return { json: { suggestions: [] } };
      return { json: { suggestions: [{ op: 'ADD', targetUnitId: null, anchorUnitId: null, newText: PLANTED, rationale: 'The judge never checked the arithmetic.', evidenceStepIds: ['final'] }] } };
    }
    if (system.includes('[truce:')) return { json: {} };
    const task = taskOfRequest(request.messages, TASKS);
    if (!task) return 'OK';
    const right = mode === 'needs-rule' && system.includes(PLANTED) && !stubborn.has(task.id);
    const answer = right ? task.reference : task.reference === 'A' ? 'B' : 'A';
    if (system.includes('judge of a debate')) return `Final answer: ${answer}`;
    if (system.includes('Proposer')) return `Answer: ${answer}\nReasons: 1. It follows.\nConfidence: 0.8`;
    if (user.includes('Write the shared state')) return `Leading answer: ${answer}.`;
    return 'No real flaw.';
  };
}
