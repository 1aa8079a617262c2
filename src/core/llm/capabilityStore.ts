/**
 * The answers to "what can this endpoint do?", cached per endpoint, so each capability is probed
 * once per session however many callers ask (the probes themselves are in capabilities.ts).
 */
export interface Capabilities {
  jsonSchema: boolean;
  logprobs: boolean;
}

/** Also the scoring routes (scoring.ts), probed only by the callers that need them. */
export type Capability = keyof Capabilities | 'promptLogprobs' | 'echoLogprobs';

export class CapabilityStore {
  private readonly answers = new Map<string, Promise<boolean>>();

  /** The cached answer, or the result of `probe` (run once even when many callers ask at once). */
  get(endpointId: string, capability: Capability, probe: () => Promise<boolean>): Promise<boolean> {
    const key = `${endpointId}|${capability}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = probe();
      this.answers.set(key, answer);
      // A probe that failed (server down, cancelled) has no answer: let the next caller ask again.
      answer.catch(() => {
        if (this.answers.get(key) === answer) this.answers.delete(key);
      });
    }
    return answer;
  }

  /** Records a known answer (from configuration or a previous session). */
  set(endpointId: string, capability: Capability, value: boolean): void {
    this.answers.set(`${endpointId}|${capability}`, Promise.resolve(value));
  }
}
