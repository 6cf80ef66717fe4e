import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { PROJECT_ROOT } from './server-process.js';

/** CREATE_CLUSTER registers a simulated cluster (disabled, so that enabling it starts the clock). */
export const CREATE_CLUSTER = `
  mutation BenchCreateCluster($input: CreateClusterInput!) {
    createCluster(input: $input) { id name }
  }
`;

/** SET_CLUSTER_ENABLED enables or disables a cluster's sync. */
export const SET_CLUSTER_ENABLED = `
  mutation BenchSetClusterEnabled($id: ID!, $enabled: Boolean!) {
    setClusterEnabled(id: $id, enabled: $enabled) { id isEnabled }
  }
`;

/** VM_PAGE is the list a dashboard shows: one page of guests with their addresses. */
export const VM_PAGE = `
  query BenchVmPage($filter: VmFilter, $first: Int) {
    vms(filter: $filter, first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id vmid name node type status tags cpus maxMem memUsed cpuUsage uptime
          ipAddresses { ipAddress }
        }
      }
    }
  }
`;

/** VM_CHANGED follows the guests of one cluster (the subscription measured for latency and fan-out). */
export const VM_CHANGED = `
  subscription BenchVmChanged($clusterId: ID) {
    vmChanged(clusterId: $clusterId) {
      type sequence at clusterId changedFields
      vm { vmid name node status }
    }
  }
`;

/**
 * validateOperations checks operations against the committed schema.graphql, so that a renamed
 * field fails the benchmark at once with GraphQL's message rather than midway.
 */
export function validateOperations(operations: readonly string[]): void {
  const schema = buildSchema(readFileSync(resolve(PROJECT_ROOT, 'schema.graphql'), 'utf8'));
  for (const operation of operations) {
    const errors = validate(schema, parse(operation));
    if (errors.length > 0) {
      throw new Error(
        `a benchmark operation does not match schema.graphql: ${errors.map((e) => e.message).join('; ')}`,
      );
    }
  }
}
