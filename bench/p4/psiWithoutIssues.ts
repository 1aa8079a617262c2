/**
 * How many Ψ calls of a run were about an agent that Φ blamed for nothing in that task: the credit
 * block shown to Ψ has no issue citing one of the agent's own steps (only highlights, or nothing).
 * TRUCE asks Ψ about every agent with a cited step, highlights included, because behaviour that
 * worked is where ADD suggestions come from; this counts what that costs and what it yields
 * (proposals in the replies), read from the requests the fake server recorded.
 */
import type { RecordedRequest } from '../../test/support/fakeOpenAiServer';

export interface PsiSignalFigures {
  psiCalls: number;
  /** Ψ calls whose agent has no issue on its own steps in the credit block. */
  withoutIssue: number;
  /** Of those, the calls on a task that failed (success: no); a failure's highlights are no ADD source. */
  withoutIssueOnFailedTask: number;
  /** Tokens (prompt + completion) of the calls without an issue. */
  tokensWithoutIssue: number;
  /** Proposals in the replies to those calls, and in the replies to the others. */
  proposalsWithoutIssue: number;
  proposalsWithIssue: number;
}

interface Body {
  messages?: Array<{ role: string; content: string }>;
  response_format?: { json_schema?: { name?: string } };
}

function proposals(content: string | undefined): number {
  try {
    const parsed = JSON.parse(content ?? '') as { suggestions?: unknown[] };
    return Array.isArray(parsed.suggestions) ? parsed.suggestions.length : 0;
  } catch {
    return 0;
  }
}

export function psiWithoutIssues(requests: readonly RecordedRequest[]): PsiSignalFigures {
  const out: PsiSignalFigures = { psiCalls: 0, withoutIssue: 0, withoutIssueOnFailedTask: 0, tokensWithoutIssue: 0, proposalsWithoutIssue: 0, proposalsWithIssue: 0 };
  for (const r of requests) {
    const body = r.body as Body;
    if (body.response_format?.json_schema?.name !== 'truce_suggestions') continue;
    const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
    const credit = /<credit>([\s\S]*?)<\/credit>/.exec(user)?.[1];
    // The no-credit ablation has no credit to read; those calls are not about skipped signal.
    if (credit === undefined || credit.startsWith('not available')) continue;
    out.psiCalls++;
    const own = new Set([...(/<steps>\n([\s\S]*?)\n<\/steps>/.exec(user)?.[1] ?? '').matchAll(/<step id="([^"]+)"/g)].map((m) => m[1]));
    const blamed = [...credit.matchAll(/^ {2}- .*\[steps: ([^\]]*)\]$/gm)].flatMap((m) => m[1].split(', '));
    const n = proposals(r.content);
    if (blamed.some((id) => own.has(id))) out.proposalsWithIssue += n;
    else {
      out.withoutIssue++;
      if (/^success: no$/m.test(user)) out.withoutIssueOnFailedTask++;
      out.tokensWithoutIssue += r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0;
      out.proposalsWithoutIssue += n;
    }
  }
  return out;
}
