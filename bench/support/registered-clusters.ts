import type { GraphQLHttpClient } from './graphql-http.js';
import { CREATE_CLUSTER, SET_CLUSTER_ENABLED } from './operations.js';
import type { BenchCluster } from './simulators.js';

/**
 * registerClusters creates every simulated cluster in pvesphere through the `createCluster`
 * mutation, disabled (so that the initial-sync clock starts when they are enabled), pinned to the
 * simulator's certificate. Returns the cluster ids, in order.
 */
export async function registerClusters(
  client: GraphQLHttpClient,
  clusters: readonly BenchCluster[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const cluster of clusters) {
    const { createCluster } = await client.request<{ createCluster: { id: string } }>(
      CREATE_CLUSTER,
      {
        input: {
          name: cluster.name,
          apiUrl: cluster.sim.url,
          tokenId: cluster.sim.tokenId,
          tokenSecret: cluster.sim.secret,
          tlsFingerprint: cluster.sim.fingerprint,
          isEnabled: false,
        },
      },
    );
    ids.push(createCluster.id);
  }
  return ids;
}

/** enableClusters enables the given clusters, all at once. */
export async function enableClusters(client: GraphQLHttpClient, ids: readonly string[]) {
  await Promise.all(ids.map((id) => client.request(SET_CLUSTER_ENABLED, { id, enabled: true })));
}
