import { strict as assert } from 'node:assert';
import { endpointConfigSchema, isLocalUrl, LOCAL_DUMMY_KEY, resolveEndpoint, sanitizeBaseUrl } from '../../../src/core/llm/endpoint';
import { MissingApiKeyError } from '../../../src/core/llm/errors';

describe('llm/endpoint', () => {
  it('names the environment variable to set when a remote endpoint has no key', () => {
    assert.throws(
      () => resolveEndpoint({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' }, {}),
      (e: unknown) => e instanceof MissingApiKeyError && e.envVar === 'OPENAI_API_KEY' && /set the environment variable OPENAI_API_KEY/.test(e.message),
    );
    assert.throws(
      () => resolveEndpoint({ baseUrl: 'https://example.com/v1', model: 'm', apiKeyEnv: 'TEAM_LLM_KEY' }, { OPENAI_API_KEY: 'sk-unrelated-1234' }),
      (e: unknown) => e instanceof MissingApiKeyError && e.envVar === 'TEAM_LLM_KEY',
    );
    assert.throws(
      () => resolveEndpoint({ baseUrl: 'https://res.openai.azure.com/openai', model: 'dep', azureApiVersion: '2024-10-21' }, {}),
      (e: unknown) => e instanceof MissingApiKeyError && e.envVar === 'AZURE_OPENAI_API_KEY',
    );
  });

  it('lets local servers run without a key and never hands them OPENAI_API_KEY implicitly', () => {
    const resolved = resolveEndpoint({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' }, { OPENAI_API_KEY: 'sk-real-key-abcdef' });
    assert.equal(resolved.apiKey, LOCAL_DUMMY_KEY);
    assert.equal(resolved.local, true);
  });

  it('prefers the in-memory key, then the named variable', () => {
    const env = { MY_KEY: 'sk-from-env-123456' };
    assert.equal(resolveEndpoint({ baseUrl: 'https://x.example/v1', model: 'm', apiKeyEnv: 'MY_KEY' }, env).apiKey, 'sk-from-env-123456');
    assert.equal(resolveEndpoint({ baseUrl: 'https://x.example/v1', model: 'm', apiKeyEnv: 'MY_KEY', apiKey: 'sk-secret-store-1' }, env).apiKey, 'sk-secret-store-1');
  });

  it('strips credentials, query and trailing slashes from the base URL', () => {
    assert.equal(sanitizeBaseUrl('https://user:pw@proxy.example/v1/?key=abc#x'), 'https://proxy.example/v1');
    assert.ok(isLocalUrl('http://localhost:1234/v1') && isLocalUrl('http://[::1]:8080') && !isLocalUrl('https://api.openai.com/v1'));
  });

  it('picks the max-tokens parameter by host, overridable', () => {
    const env = { OPENAI_API_KEY: 'sk-xxxxxxxxxxxx' };
    assert.equal(resolveEndpoint({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-5' }, env).maxTokensParam, 'max_completion_tokens');
    assert.equal(resolveEndpoint({ baseUrl: 'http://localhost:8000/v1', model: 'q' }, env).maxTokensParam, 'max_tokens');
  });

  it('validates configuration with zod (unknown keys and bad URLs rejected)', () => {
    assert.equal(endpointConfigSchema.safeParse({ baseUrl: 'http://localhost:11434/v1', model: 'x', temperature: 0.2 }).success, true);
    assert.equal(endpointConfigSchema.safeParse({ baseUrl: 'localhost:11434', model: 'x' }).success, false);
    assert.equal(endpointConfigSchema.safeParse({ baseUrl: 'http://localhost/v1', model: 'x', apikey: 'oops' }).success, false);
  });
});
