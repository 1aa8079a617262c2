// A three-agent LangGraph.js graph that answers a multiple-choice question: the analyst lays out
// what the question asks, the solver picks an option, the reviewer checks the pick and gives the
// final answer. Each agent's system prompt is one of the files in prompts/, which TRUCE edits.
//
// Run by TRUCE (truce.yaml, mas.kind: command): the task arrives on stdin as one JSON line, the
// prompts TRUCE wants tried are in TRUCE_PROMPTS_JSON, and the spans go to TRUCE's OTLP receiver;
// the program prints the final answer as {"type": "answer", ...}. By hand:
//   echo '{"id":"t1","input":"2+2?\nA) 3\nB) 4"}' | OPENAI_BASE_URL=… OPENAI_API_KEY=… node mas.mjs
import './tracing.mjs';
import { readFileSync } from 'node:fs';
import { context } from '@opentelemetry/api';
import { setAttributes } from '@arizeai/openinference-core';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { provider } from './tracing.mjs';

const AGENTS = ['analyst', 'solver', 'reviewer'];

/** Each agent's system prompt: the set TRUCE hands over, else the files next to this program. */
function systemPrompts() {
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

const prompts = systemPrompts();
const task = readTask();
const model = new ChatOpenAI({
  model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini',
  temperature: 0,
  maxTokens: 300,
  // The OpenAI client reads OPENAI_API_KEY and OPENAI_BASE_URL itself.
  configuration: process.env.OPENAI_BASE_URL ? { baseURL: process.env.OPENAI_BASE_URL } : {},
});

const State = Annotation.Root({
  question: Annotation(),
  notes: Annotation({ reducer: (all, next) => [...all, ...next], default: () => [] }),
});

/** A graph node for one agent: it reads the question and what the agents before it wrote. */
function agentNode(id) {
  return async (state) => {
    const earlier = state.notes.map((n) => `### ${n.agent}\n${n.text}`).join('\n\n');
    const user = `## Question\n\n${state.question}${earlier ? `\n\n## Notes from the team\n\n${earlier}` : ''}`;
    // OpenInference puts `agent.name` on every span started in this context: TRUCE files the
    // model call under this agent.
    const reply = await context.with(setAttributes(context.active(), { 'agent.name': id }), () => model.invoke([new SystemMessage(prompts[id]), new HumanMessage(user)]));
    return { notes: [{ agent: id, text: String(reply.content) }] };
  };
}

const graph = new StateGraph(State)
  .addNode('analyst', agentNode('analyst'))
  .addNode('solver', agentNode('solver'))
  .addNode('reviewer', agentNode('reviewer'))
  .addEdge(START, 'analyst')
  .addEdge('analyst', 'solver')
  .addEdge('solver', 'reviewer')
  .addEdge('reviewer', END)
  .compile();

try {
  const final = await graph.invoke({ question: task.input });
  console.log(JSON.stringify({ type: 'answer', answer: final.notes.at(-1).text }));
} finally {
  // Spans are batched: send what is left before the process ends.
  await provider.shutdown();
}
