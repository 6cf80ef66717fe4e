import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

// Every GraphQL example in the README must run against the schema as it is: a user pastes them
// into GraphiQL first. (schema.graphql is checked to match the code by `npm run check`.)
const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Splits a block into its operations: each starts at a line beginning `{`, `query`, … */
function operations(block: string): string[] {
  const parts: string[] = [];
  for (const line of block.split('\n')) {
    if (/^(\{|query|mutation|subscription)/.test(line) || parts.length === 0) parts.push(line);
    else parts[parts.length - 1] += `\n${line}`;
  }
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const examples = blocks.flatMap(operations);

describe('the README', () => {
  it('has GraphQL examples', () => {
    expect(examples.length).toBeGreaterThan(8);
  });

  it.each(examples.map((e) => [e.split('\n')[0]!.slice(0, 70), e]))(
    'example %s is valid',
    (_, example) => {
      const errors = validate(schema, parse(example)).map((e) => e.message);
      expect(errors).toEqual([]);
    },
  );
});
