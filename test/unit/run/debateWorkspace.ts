/**
 * Test fixtures for the run engine: the debate example copied into a temp folder with its
 * executor pointed at the fake server, and a responder that plays the debate — the judge answers
 * with the task's reference unless the task is listed as one to get wrong.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type TruceConfig } from '../../../src/core/config';
import type { FakeChatRequest, FakeReply } from '../../support/fakeOpenAiServer';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const EXAMPLE_DIR = join(REPO_ROOT, 'examples/debate-mas');

export interface ExampleTask {
  id: string;
  input: string;
  reference: string;
}

export function exampleTasks(): ExampleTask[] {
  return readFileSync(join(EXAMPLE_DIR, 'tasks.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ExampleTask);
}

export interface Workspace {
  dir: string;
  configPath: string;
  config(): TruceConfig;
  remove(): void;
}

/** Copies the example; `edit` rewrites the YAML text (e.g. a budget) after the URL is replaced. */
export function debateWorkspace(baseUrl: string, edit: (yaml: string) => string = (y) => y): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'truce-run-'));
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !src.includes('.truce') });
  const configPath = join(dir, 'truce.yaml');
  const yaml = readFileSync(configPath, 'utf8').replace('http://127.0.0.1:11434/v1', baseUrl).replace('model: qwen2.5:1.5b', 'model: fake-model');
  writeFileSync(configPath, edit(yaml));
  return {
    dir,
    configPath,
    config() {
      const parsed = parseConfig(readFileSync(configPath, 'utf8'), { workspaceRoot: dir });
      if (!parsed.ok) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '));
      return parsed.config;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The task a request is about, found by its input text in the messages. */
export function taskOfRequest(messages: ReadonlyArray<{ content: string }>, tasks: readonly ExampleTask[]): ExampleTask | undefined {
  const text = messages.map((m) => m.content).join('\n');
  return tasks.find((t) => text.includes(t.input));
}

/** Plays the debate: roles argue, the aggregator condenses, the judge gives a final answer. */
export function debateResponder(tasks: readonly ExampleTask[], wrong: ReadonlySet<string> = new Set()) {
  return (request: FakeChatRequest): FakeReply => {
    const task = taskOfRequest(request.messages, tasks);
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    if (!task) return 'OK';
    const answer = wrong.has(task.id) ? (task.reference === 'A' ? 'B' : 'A') : task.reference;
    if (system.includes('judge of a debate')) return `The proposer's steps held up.\nFinal answer: ${answer}`;
    if (system.includes('Proposer')) return `Answer: ${answer}\nReasons: 1. It follows from the question.\nConfidence: 0.8`;
    if (/aggregator/i.test(system) || request.lastUser.includes('Write the shared state')) return `Leading answer: ${answer}; no open objections.`;
    return 'I find no real flaw in the proposer\'s argument.';
  };
}
