import { createRequire } from 'node:module';

/**
 * The `graphql` functions that check types with `instanceof`, from the copy of the module that
 * built the schema. Node loads `graphql` as CommonJS for Pothos and yoga; a bundler or test
 * runner may give this project's own files the ESM copy, whose classes are different (and whose
 * development build then throws on types of the other copy). `require` always reaches the one
 * Pothos and yoga use.
 */
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** getVariableValues coerces an operation's variables (graphql-js). */
export const getVariableValues = graphql.getVariableValues;

/** getArgumentValues coerces a field's arguments (graphql-js). */
export const getArgumentValues = graphql.getArgumentValues;
