/** MARBLE's text formats inside a record: a communication session's transcript, and an agent's result. */

export interface SessionMessage {
  from: string;
  to: string;
  text: string;
}

export interface Session {
  id?: string;
  messages: SessionMessage[];
}

const SESSION_HEADER = /^In Session (\S+)/;
const MESSAGE_START = /^From (\S+) to (\S+): ?/;

/**
 * Splits a session transcript into messages. A line starting "From X to Y: " opens a message only
 * when X and Y are agents of the run, so a message that quotes such a line stays whole.
 */
export function parseSession(text: string, agentIds: ReadonlySet<string>): Session {
  const lines = text.split('\n');
  const session: Session = { messages: [] };
  let current: SessionMessage | undefined;
  lines.forEach((line, i) => {
    const header = i === 0 ? SESSION_HEADER.exec(line) : null;
    if (header) {
      session.id = header[1];
      return;
    }
    const start = MESSAGE_START.exec(line);
    if (start && (agentIds.size === 0 || (agentIds.has(start[1] as string) && agentIds.has(start[2] as string)))) {
      current = { from: start[1] as string, to: start[2] as string, text: line.slice(start[0].length) };
      session.messages.push(current);
    } else if (current) {
      current.text += '\n' + line;
    }
  });
  return session;
}

/** "Result from the model:<text>\nResult from the function:<json>" → its two parts. */
export function splitAgentResult(text: string): { model: string; fn?: string } {
  const match = /^Result from the model:([\s\S]*?)(?:\nResult from the function:([\s\S]*))?$/.exec(text);
  if (!match) return { model: text };
  return { model: (match[1] ?? '').trim(), ...(match[2] !== undefined ? { fn: match[2] } : {}) };
}
