import type { AccessCheck } from './model/acl.js';
import type { ClusterState } from './model/cluster-state.js';
import type { SimToken } from './model/types.js';
import type { Shuffler } from './prng.js';
import type { PveReply } from './reply.js';

/** ApiSettings are the timing knobs routes need. */
export interface ApiSettings {
  /** Default wait before a call proxied to an offline node fails (per-node override exists). */
  proxyDelayMs: number;
  /** Wait before `QEMU guest agent is not running` (PVE pings the agent for 3 s). */
  agentTimeoutMs: number;
}

/** RouteContext is what a route handler gets for one authenticated API call. */
export interface RouteContext {
  state: ClusterState;
  token: SimToken;
  access: AccessCheck;
  /** Path placeholders, decoded (`{ node: 'pve1', vmid: '100' }`). */
  params: Record<string, string>;
  /** Query parameters (last value wins). */
  query: Record<string, string>;
  /** Generator for hash-order effects (list and key order). */
  order: Shuffler;
  settings: ApiSettings;
}

/** RouteKind classifies calls for the request counters: list calls vs per-guest detail calls. */
export type RouteKind = 'list' | 'detail' | 'other';

/** RouteDefinition is one GET endpoint of the simulated API (path under `/api2/json`). */
export interface RouteDefinition {
  /** Path template, e.g. `/nodes/{node}/qemu/{vmid}/config`. */
  template: string;
  kind: RouteKind;
  handle(ctx: RouteContext): PveReply | Promise<PveReply>;
}

/** RouteMatch is a route with the placeholders it captured. */
export interface RouteMatch<R = RouteDefinition> {
  route: R;
  params: Record<string, string>;
}

/**
 * Router matches paths against route templates (`/nodes/{node}/qemu`) segment by segment;
 * templates with fewer placeholders are tried first, so literals win over placeholders.
 */
export class Router<R extends { template: string } = RouteDefinition> {
  private readonly compiled: { route: R; segments: string[] }[];

  /** Router compiles `routes`. */
  constructor(routes: readonly R[]) {
    this.compiled = routes
      .map((route) => ({ route, segments: route.template.split('/').filter(Boolean) }))
      .sort((a, b) => placeholders(a.segments) - placeholders(b.segments));
  }

  /** match finds the route for `path` (no trailing slash significance), or undefined. */
  match(path: string): RouteMatch<R> | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const { route, segments } of this.compiled) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith('{')) {
          params[segment.slice(1, -1)] = safeDecode(part);
        } else if (segment !== part) {
          matched = false;
          break;
        }
      }
      if (matched) return { route, params };
    }
    return undefined;
  }
}

function placeholders(segments: string[]): number {
  return segments.filter((s) => s.startsWith('{')).length;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
