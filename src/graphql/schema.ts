import { builder } from './builder.js';
import './scalars.js';
import './types/cluster.js';
import './types/cluster-counts.js';
import './types/events.js';
import './types/ip-address.js';
import './types/node.js';
import './types/storage.js';
import './types/template.js';
import './types/vm.js';

/** schema is the whole GraphQL schema (printed, sorted, into schema.graphql). */
export const schema = builder.toSchema();
