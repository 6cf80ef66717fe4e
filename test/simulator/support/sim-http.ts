import { Agent, fetch } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../../src/simulator/simulator.js';
import type { RawResponse } from '../../facts/index.js';

/** Credentials selects what a call authenticates with. */
export type Credentials = 'sync' | 'restricted' | 'none' | 'wrong-secret' | { header: string };

/** CallOptions tune one API call. */
export interface CallOptions {
  credentials?: Credentials;
  headers?: Record<string, string>;
  method?: string;
}

const agents = new WeakMap<RunningSimulator, Agent>();

/**
 * agentFor returns an undici Agent that trusts the simulator's self-signed certificate (real TLS
 * verification, no `rejectUnauthorized: false`).
 */
export function agentFor(sim: RunningSimulator): Agent {
  let agent = agents.get(sim);
  if (!agent) {
    agent = new Agent({ connect: sim.certificate ? { ca: sim.certificate } : {} });
    agents.set(sim, agent);
  }
  return agent;
}

/** closeAgent closes the Agent of a simulator (call before or after `sim.stop()`). */
export async function closeAgent(sim: RunningSimulator): Promise<void> {
  const agent = agents.get(sim);
  agents.delete(sim);
  await agent?.close();
}

/** authorization renders the Authorization header for `credentials` (undefined: none). */
export function authorization(sim: RunningSimulator, credentials: Credentials): string | undefined {
  if (credentials === 'none') return undefined;
  if (credentials === 'sync') return `PVEAPIToken=${sim.tokenId}=${sim.secret}`;
  if (credentials === 'restricted') {
    return `PVEAPIToken=${sim.restrictedToken.tokenId}=${sim.restrictedToken.secret}`;
  }
  if (credentials === 'wrong-secret') return `PVEAPIToken=${sim.tokenId}=00000000-not-the-secret`;
  return credentials.header;
}

/**
 * call sends a request to `/api2/json<path>` over real HTTP(S) and captures the answer exactly
 * (status, reason phrase, lower-case headers, body text) as a RawResponse.
 */
export async function call(
  sim: RunningSimulator,
  path: string,
  options: CallOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = authorization(sim, options.credentials ?? 'sync');
  if (auth !== undefined) headers.authorization = auth;
  const response = await fetch(`${sim.url}/api2/json${path}`, {
    method: options.method ?? 'GET',
    headers,
    dispatcher: agentFor(sim),
  });
  const body = await response.text();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: Object.fromEntries(response.headers),
    body,
  };
}

/** data parses a 200 answer's `data` (throws with the raw answer otherwise). */
export async function data<T = unknown>(
  sim: RunningSimulator,
  path: string,
  options: CallOptions = {},
): Promise<T> {
  const raw = await call(sim, path, options);
  if (raw.status !== 200) throw new Error(`${path}: ${raw.status} ${raw.statusText} ${raw.body}`);
  return (JSON.parse(raw.body) as { data: T }).data;
}

/** AdminAnswer is the JSON an admin call returns. */
export interface AdminAnswer {
  result?: unknown;
  error?: { code: string; message: string };
}

/** admin calls the simulator's `/_sim` surface with its bearer token; returns status and JSON. */
export async function admin(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  token = sim.adminToken,
): Promise<{
  status: number;
  json: { result?: unknown; error?: { code: string; message: string } };
}> {
  const response = await fetch(`${sim.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: agentFor(sim),
  });
  return { status: response.status, json: (await response.json()) as AdminAnswer };
}

/**
 * useSimulator starts one simulator for the enclosing test file or `describe` (beforeAll) and
 * stops it afterwards; the returned accessor gives the running simulator inside tests.
 */
export function useSimulator(options: SimulatorOptions): () => RunningSimulator {
  let sim: RunningSimulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    if (!sim) return;
    await closeAgent(sim);
    await sim.stop();
  });
  return () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
}
