/**
 * RawResponse is one HTTP answer exactly as a PVE server puts it on the wire: status code, reason
 * phrase, headers and the body as text (not parsed, so empty and malformed bodies can be
 * expressed). It is what a fact's samples contain and what a simulator test captures and hands to
 * `PveFact.check`.
 */
export interface RawResponse {
  /** HTTP status code (PVE also uses 595/596 for "proxy target unreachable"). */
  status: number;
  /** HTTP reason phrase. PVE puts the first line of its error message here. @default the standard phrase */
  statusText?: string;
  /** Response headers, lower-case names. */
  headers?: Record<string, string>;
  /** Response body as text; `''` for an empty body. */
  body: string;
}

/**
 * FactRequest names the API call a fact is about. `route` is the path template under
 * `/api2/json` (`/nodes/{node}/qemu`); `params` fill its placeholders for the samples (a
 * simulator test substitutes names that exist in its own cluster); `query` is part of the call.
 */
export interface FactRequest {
  method: 'GET';
  route: FactRoute;
  params?: Record<string, string>;
  query?: Record<string, string>;
}

/** FactRoute lists the PVE API routes the facts cover (paths under `/api2/json`). */
export type FactRoute =
  | '/version'
  | '/nodes'
  | '/cluster/resources'
  | '/cluster/status'
  | '/nodes/{node}/qemu'
  | '/nodes/{node}/lxc'
  | '/nodes/{node}/storage'
  | '/nodes/{node}/qemu/{vmid}/config'
  | '/nodes/{node}/lxc/{vmid}/config'
  | '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces'
  | '/nodes/{node}/lxc/{vmid}/interfaces';

/**
 * Scenario is the server state under which a fact holds; a simulator test puts its cluster in
 * that state before calling `request`:
 * - `healthy`: current PVE (8.2+/9.x), every node online, a valid token with PVEAuditor on `/`.
 * - `template-guest`: like healthy, and the answer includes at least one template.
 * - `tagged-guest`: like healthy, and the answer includes at least one guest with tags.
 * - `shared-storage`: like healthy, with a shared storage enabled on several nodes.
 * - `offline-node`: `params.node` names a cluster member that is down (proxied calls fail).
 * - `offline-node-stale`: a node down for longer than the staleness window (PVE: 5 min); the
 *   answer is `/cluster/resources` or `/nodes`, which still list it and its guests.
 * - `no-credentials`: the request carries no Authorization header and no ticket.
 * - `invalid-token`: a well-formed token header with a wrong secret or an unknown token id.
 * - `missing-privilege`: the token lacks the privilege the endpoint checks (no ACL at all).
 * - `agent-not-running` / `agent-not-configured` / `guest-not-running`: the VM named by
 *   `params.vmid` has an agent configured but not answering / no `agent` key / is stopped.
 * - `guest-not-on-node`: `params.vmid` exists but its config lives on another node.
 * - `unknown-path`: the route with a path element PVE does not implement.
 * - `client-only`: not reproducible by a simulator of current PVE (legacy releases, broken
 *   answers); such facts have no `check`.
 */
export type Scenario =
  | 'healthy'
  | 'template-guest'
  | 'tagged-guest'
  | 'shared-storage'
  | 'offline-node'
  | 'offline-node-stale'
  | 'no-credentials'
  | 'invalid-token'
  | 'missing-privilege'
  | 'agent-not-running'
  | 'agent-not-configured'
  | 'guest-not-running'
  | 'guest-not-on-node'
  | 'unknown-path'
  | 'client-only';

/**
 * Expected is what a correct client produces for a sample: either the normalised value (compared
 * with deep equality against what the client method returns) or an error with a stable code.
 * `messageIncludes` is checked against the error message (reason phrases included).
 */
export type Expected =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; code: string; retryable: boolean; messageIncludes?: string; field?: string };

/**
 * FactSample is one raw answer written from the fact (never copied from a capture) plus what a
 * correct client makes of it. `era: 'legacy'` marks answers of older PVE releases still in the
 * field (a client must accept them, a simulator of current PVE does not produce them);
 * `era: 'broken'` marks answers no PVE release sends (truncated, proxy garbage) that a client
 * must reject cleanly. Only `current` samples must satisfy the fact's `check`.
 */
export interface FactSample {
  name: string;
  era: 'current' | 'legacy' | 'broken';
  raw: RawResponse;
  expected: Expected;
}

/**
 * PveFact is one statement about real PVE behaviour from shared/pve/API.md.
 * - `id`: stable, unique, dotted (`typing.template.node-list`); never renamed once committed.
 * - `section`: the API.md section it comes from (`§1.2`, `§2.2`, `§3`, `§4 GET /nodes`, `§7 …`).
 * - `check(raw)`: the fact as a predicate on a raw answer to `request` under `scenario`;
 *   returns the list of violations (empty = the answer satisfies the fact). Present unless the
 *   scenario is `client-only`.
 * - `counterexamples`: raw answers `check` must reject, so the predicate is shown to be able to
 *   fail.
 */
export interface PveFact {
  id: string;
  section: string;
  statement: string;
  request: FactRequest;
  scenario: Scenario;
  samples: FactSample[];
  check?: (raw: RawResponse) => string[];
  counterexamples?: RawResponse[];
}
