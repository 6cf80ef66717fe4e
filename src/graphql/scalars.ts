import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';

/** DateTime is an ISO-8601 timestamp in UTC (`2026-11-26T00:42:08.000Z`). */
builder.scalarType('DateTime', {
  description: 'An ISO-8601 timestamp in UTC, such as 2026-11-26T00:42:08.000Z.',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime()))
      throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
  return date;
}

/**
 * Bytes is a byte count sent as a JSON number: storage sizes exceed 32 bits (GraphQL `Int`), and
 * JSON numbers are exact up to 2^53 bytes (8 PiB).
 */
builder.scalarType('Bytes', {
  description: 'A byte count, as a JSON number (exact up to 2^53).',
  serialize: (value) => {
    const number = typeof value === 'bigint' ? Number(value) : Number(value);
    if (!Number.isFinite(number)) throw new GraphQLError('Bytes cannot represent a non-number');
    return number;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new GraphQLError('Bytes must be a non-negative integer');
    }
    return value;
  },
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError('Bytes must be an integer');
    return Number(ast.value);
  },
});
