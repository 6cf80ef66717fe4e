/**
 * The original project's documented SQL (DESIGN §4), character for character, and a psql-like
 * runner: one text, simple query protocol, no parameters, as `psql -c` sends it.
 */
import pg from 'pg';

/** ORIGINAL_INSERT registers 'my-cluster' with the plaintext token 'your-token-here'. */
export const ORIGINAL_INSERT = `INSERT INTO pve_cluster (cluster_name, cluster_name_alias, env, api_url, user_id, user_token,
  is_enabled, is_schedulable, creator)
VALUES ('my-cluster', '生产集群', 'prod', 'https://10.7.64.206:8006', 'api-user@pve',
  'your-token-here', 1, 1, 'admin');`;

/** ORIGINAL_DISABLE switches syncing of 'my-cluster' off. */
export const ORIGINAL_DISABLE = `UPDATE pve_cluster SET is_enabled = 0 WHERE cluster_name = 'my-cluster';`;

/** ORIGINAL_UNSCHEDULE_ENABLE takes cluster 1 out of scheduling and switches syncing on. */
export const ORIGINAL_UNSCHEDULE_ENABLE = `UPDATE pve_cluster SET is_schedulable = 0, is_enabled = 1 WHERE id = 1;`;

/** ORIGINAL_TOKEN is the plaintext token ORIGINAL_INSERT stores. */
export const ORIGINAL_TOKEN = 'your-token-here';

/**
 * psql runs one SQL text (one or more statements) as psql would and returns psql's command tags
 * (`INSERT 0 1`, `UPDATE 1`, …).
 */
export async function psql(connection: string | pg.ClientConfig, sql: string): Promise<string[]> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const results = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
    return (Array.isArray(results) ? results : [results]).map(
      (r) => `${r.command} ${r.command === 'INSERT' ? `0 ${r.rowCount}` : r.rowCount}`,
    );
  } finally {
    await client.end();
  }
}
