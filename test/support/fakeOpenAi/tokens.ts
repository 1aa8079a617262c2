/**
 * The fake server's token count: words and punctuation marks, plus a per-message overhead. It is
 * deliberately not chars/4 (the client's own estimate), so a test can tell reported usage from
 * estimated usage.
 */
export function fakeTokenCount(text: string): number {
  return (text.match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g) ?? []).length;
}

export const FAKE_MESSAGE_OVERHEAD = 3;

export function fakePromptTokens(messages: ReadonlyArray<{ content: string }>): number {
  return messages.reduce((sum, m) => sum + fakeTokenCount(m.content) + FAKE_MESSAGE_OVERHEAD, 0);
}

export function fakeCompletionTokens(content: string): number {
  return Math.max(1, fakeTokenCount(content));
}
