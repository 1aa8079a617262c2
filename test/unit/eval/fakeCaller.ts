/**
 * A scripted stand-in for the judge model. Like the real structured call it validates the reply
 * against the schema, so a malformed scripted reply comes back as a failure, not as a value.
 */
import type { JudgeMessage, StructuredCallMeta, StructuredCaller } from '../../../src/core/eval';

export type Scripted = { reply: unknown } | { fail: string } | { throws: Error };

export interface FakeCaller {
  caller: StructuredCaller;
  calls: { messages: JudgeMessage[]; meta: StructuredCallMeta }[];
}

export function fakeCaller(script: Scripted[] | ((messages: JudgeMessage[]) => Scripted)): FakeCaller {
  const calls: FakeCaller['calls'] = [];
  const caller: StructuredCaller = async (messages, schema, meta) => {
    calls.push({ messages, meta });
    const next = typeof script === 'function' ? script(messages) : script[calls.length - 1];
    if (!next) throw new Error(`fake caller: no scripted reply for call ${calls.length}`);
    if ('throws' in next) throw next.throws;
    if ('fail' in next) return { ok: false, error: { message: next.fail } };
    const parsed = schema.safeParse(next.reply);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `validation: ${parsed.error.issues[0]?.message}` };
  };
  return { caller, calls };
}
