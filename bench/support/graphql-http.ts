import { Pool } from 'undici';

/** GraphQLResponse is a GraphQL-over-HTTP answer. */
export interface GraphQLResponse<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/**
 * GraphQLHttpClient posts GraphQL operations to one server over keep-alive connections (an undici
 * Pool of `connections` sockets), the way a fleet of dashboards would.
 */
export class GraphQLHttpClient {
  readonly #pool: Pool;

  constructor(origin: string, connections = 4) {
    this.#pool = new Pool(origin, { connections, pipelining: 1 });
  }

  /** request posts one operation and returns its data; GraphQL errors throw. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.raw<T>(query, variables);
    if (response.errors?.length || response.data === undefined) {
      throw new Error(
        `GraphQL error: ${response.errors?.map((e) => e.message).join('; ') ?? 'no data'}`,
      );
    }
    return response.data;
  }

  /** raw posts one operation and returns the parsed answer as is. */
  async raw<T>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    const { statusCode, body } = await this.#pool.request({
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const parsed = (await body.json()) as GraphQLResponse<T>;
    if (statusCode !== 200 && parsed.errors === undefined) {
      throw new Error(`GraphQL over HTTP answered ${statusCode}`);
    }
    return parsed;
  }

  /** close ends the connections. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
