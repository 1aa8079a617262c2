import { strict as assert } from 'node:assert';
import { attachExportVariables, renderExports, TaskMatcher } from '../../../src/core/attach';

describe('attach/TaskMatcher', () => {
  const matcher = new TaskMatcher([
    { id: 'a', input: 'What is the capital of France?', reference: 'Paris' },
    { id: 'b', input: 'What is the capital of France? Answer in French.', reference: 'Paris' },
    { id: 'short', input: 'yes', reference: 'no' },
    { id: 'dup', input: 'what is the CAPITAL of france?', reference: 'x' },
  ]);

  it('prefers the id the spans name, then an equal input, then the longest contained input', () => {
    assert.deepEqual(matcher.match('short', ['What is the capital of France?']), { task: { id: 'short', input: 'yes', reference: 'no' }, by: 'id' });
    assert.equal(matcher.match('unknown-id', ['what  is the capital of\nfrance?'])?.task.id, 'a');
    assert.equal(matcher.match(undefined, ['{"question": "What is the capital of France? Answer in French."}'])?.task.id, 'b');
    assert.deepEqual(matcher.match(undefined, ['system prompt', 'Q: What is the capital of France?']), { task: matcher.match(undefined, ['What is the capital of France?'])?.task, by: 'contained-input' });
  });

  it('does not search for short inputs inside longer texts, and matches nothing in empty inputs', () => {
    assert.equal(matcher.match(undefined, ['say yes or no']), undefined);
    assert.equal(matcher.match(undefined, ['yes'])?.task.id, 'short');
    assert.equal(matcher.match(undefined, [undefined, '', '   ']), undefined);
  });
});

describe('attach/exportVariables', () => {
  it('quotes values for each shell so a token with quotes survives', () => {
    const vars = attachExportVariables('http://127.0.0.1:4318', "Authorization=Bearer%20it's");
    assert.equal(vars.find((v) => v.name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')?.value, 'http://127.0.0.1:4318/v1/traces');
    const posix = renderExports(vars, 'posix');
    assert.match(posix, /^export OTEL_EXPORTER_OTLP_ENDPOINT='http:\/\/127\.0\.0\.1:4318'$/m);
    assert.match(posix, /^export OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer%20it'\\''s'$/m);
    assert.match(renderExports(vars, 'powershell'), /^\$env:OTEL_EXPORTER_OTLP_HEADERS = 'Authorization=Bearer%20it''s'$/m);
    assert.match(renderExports(vars, 'cmd'), /^set "OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf"$/m);
  });
});
