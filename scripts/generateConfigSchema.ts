/**
 * Writes schemas/truce.schema.json from the zod schema of truce.yaml, so editors with a YAML
 * language server complete and check the file with the very rules `truce validate` applies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { truceConfigSchema } from '../src/core/config/schema';

const schema = z.toJSONSchema(truceConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
schema.title = 'TRUCE configuration (truce.yaml)';
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/truce.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
