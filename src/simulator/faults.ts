import { SimulatorControlError } from './control-error.js';

/**
 * FaultKind names an injected failure:
 * - `auth`: 401 `Authentication failed!` with an empty body (after the auth delay);
 * - `status`: an error answer with `status` (default 500) and `message`;
 * - `latency`: the answer is delayed by `delayMs` (then served normally);
 * - `timeout`: no answer at all — the connection stays open until the client gives up;
 * - `malformed`: 200 whose JSON body is cut in half;
 * - `reset`: the connection is destroyed without an answer.
 */
export type FaultKind = 'auth' | 'status' | 'latency' | 'timeout' | 'malformed' | 'reset';

/** FaultRule describes a fault to inject into API calls. */
export interface FaultRule {
  kind: FaultKind;
  /**
   * Regular expression (or its source text) matched against the path under `/api2/json`, e.g.
   * `^/cluster/resources`; default: every API call.
   */
  path?: string | RegExp;
  /** Number of matching calls affected; default: until removed. */
  count?: number;
  /** HTTP status for `status` faults. @default 500 */
  status?: number;
  /** Message for `status` faults (also the reason phrase). @default 'Internal Server Error' */
  message?: string;
  /** Delay for `latency` faults in ms. @default 1000 */
  delayMs?: number;
}

/** FaultInfo describes an active fault (`remaining` undefined = unlimited). */
export interface FaultInfo {
  id: number;
  kind: FaultKind;
  path?: string;
  remaining?: number;
  hits: number;
  status?: number;
  message?: string;
  delayMs?: number;
}

/** FaultDecision is what applies to one call: an added delay and at most one terminal fault. */
export interface FaultDecision {
  delayMs: number;
  terminal?: FaultInfo;
}

interface ActiveFault {
  info: FaultInfo;
  pattern?: RegExp;
}

const KINDS: readonly FaultKind[] = ['auth', 'status', 'latency', 'timeout', 'malformed', 'reset'];

/**
 * FaultInjector keeps the active fault rules and decides, per API call, which apply: every
 * matching `latency` rule adds its delay, and the oldest matching non-latency rule is the
 * terminal fault. Each applied rule uses up one of its `count`; exhausted rules disappear.
 */
export class FaultInjector {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;

  /** add validates and installs a rule; returns its id. Throws SimulatorControlError (INVALID). */
  add(rule: FaultRule): number {
    if (!KINDS.includes(rule.kind)) {
      throw new SimulatorControlError('INVALID', `unknown fault kind '${String(rule.kind)}'`);
    }
    if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
      throw new SimulatorControlError('INVALID', 'fault count must be a positive integer');
    }
    if (
      rule.status !== undefined &&
      (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 999)
    ) {
      throw new SimulatorControlError(
        'INVALID',
        'fault status must be an HTTP error code (400-999)',
      );
    }
    let pattern: RegExp | undefined;
    try {
      pattern = rule.path === undefined ? undefined : new RegExp(rule.path);
    } catch (err) {
      throw new SimulatorControlError(
        'INVALID',
        `bad fault path pattern: ${(err as Error).message}`,
      );
    }
    const id = this.nextId++;
    this.active.push({
      pattern,
      info: {
        id,
        kind: rule.kind,
        path: pattern?.source,
        remaining: rule.count,
        hits: 0,
        status: rule.kind === 'status' ? (rule.status ?? 500) : undefined,
        message: rule.kind === 'status' ? (rule.message ?? 'Internal Server Error') : undefined,
        delayMs: rule.kind === 'latency' ? Math.max(0, rule.delayMs ?? 1000) : undefined,
      },
    });
    return id;
  }

  /** remove uninstalls a rule; false when it was not active. */
  remove(id: number): boolean {
    const index = this.active.findIndex((fault) => fault.info.id === id);
    if (index < 0) return false;
    this.active.splice(index, 1);
    return true;
  }

  /** clear removes every rule. */
  clear(): void {
    this.active.length = 0;
  }

  /** list describes the active rules. */
  list(): FaultInfo[] {
    return this.active.map((fault) => ({ ...fault.info }));
  }

  /** take decides the faults for a call to `path` and consumes their counts. */
  take(path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const fault of [...this.active]) {
      if (fault.pattern && !fault.pattern.test(path)) continue;
      const isLatency = fault.info.kind === 'latency';
      if (!isLatency && decision.terminal) continue;
      if (isLatency) decision.delayMs += fault.info.delayMs ?? 0;
      else decision.terminal = { ...fault.info };
      this.consume(fault);
    }
    return decision;
  }

  private consume(fault: ActiveFault): void {
    fault.info.hits++;
    if (fault.info.remaining === undefined) return;
    fault.info.remaining--;
    if (fault.info.remaining <= 0) this.remove(fault.info.id);
  }
}
