import { builder } from './builder.js';
import './scalars.js';
import './types/cluster.js';

/** schema is the whole GraphQL schema (printed, sorted, into schema.graphql). */
export const schema = builder.toSchema();
