// Three agents built with the OpenAI Agents SDK answer a multiple-choice question in turn: the
// scout lists what the question gives and asks, the solver picks an option, the verifier checks
// it and gives the final answer. Each agent's instructions are one of the files in prompts/,
// which TRUCE edits. All three runs share one trace, so TRUCE sees one trajectory per task.
//
// Run by TRUCE (truce.yaml, mas.kind: command): the task arrives on stdin as one JSON line, the
// prompts TRUCE wants tried are in TRUCE_PROMPTS_JSON, and the spans go to TRUCE's OTLP receiver;
// the program prints the final answer as {"type": "answer", ...}. By hand:
//   echo '{"id":"t1","input":"2+2?\nA) 3\nB) 4"}' | OPENAI_BASE_URL=… OPENAI_API_KEY=… node mas.mjs
import { provider } from './tracing.mjs';
import { readFileSync } from 'node:fs';
import { Agent, run, setOpenAIAPI, withTrace } from '@openai/agents';

const AGENTS = ['scout', 'solver', 'verifier'];

/** Each agent's instructions: the set TRUCE hands over, else the files next to this program. */
function instructions() {
  const manifest = process.env.TRUCE_PROMPTS_JSON;
  if (manifest) {
    const { agents } = JSON.parse(readFileSync(manifest, 'utf8'));
    return Object.fromEntries(AGENTS.map((id) => [id, agents[id].systemPrompt]));
  }
  return Object.fromEntries(AGENTS.map((id) => [id, readFileSync(new URL(`./prompts/${id}.md`, import.meta.url), 'utf8')]));
}

function readTask() {
  const line = readFileSync(0, 'utf8').trim();
  if (!line) throw new Error('expected the task as one JSON line on stdin, e.g. {"id": "t1", "input": "…"}');
  return JSON.parse(line);
}

// Chat Completions works with every OpenAI-compatible server (the default Responses API does not);
// the client reads OPENAI_API_KEY and OPENAI_BASE_URL itself.
setOpenAIAPI('chat_completions');
const model = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
const prompts = instructions();
const team = AGENTS.map((name) => new Agent({ name, instructions: prompts[name], model, modelSettings: { temperature: 0, maxTokens: 300 } }));
const task = readTask();

try {
  const answer = await withTrace(`task ${task.id ?? ''}`.trim(), async () => {
    const notes = [];
    for (const agent of team) {
      const input = [`## Question\n\n${task.input}`, ...(notes.length ? [`## Notes from the team\n\n${notes.join('\n\n')}`] : [])].join('\n\n');
      const result = await run(agent, input);
      notes.push(`### ${agent.name}\n${String(result.finalOutput ?? '')}`);
    }
    return notes.at(-1).replace(/^### \S+\n/, '');
  });
  console.log(JSON.stringify({ type: 'answer', answer }));
} finally {
  // Spans are batched: send what is left before the process ends.
  await provider.shutdown();
}
