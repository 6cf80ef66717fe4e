import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type AnswerScope, AnswerScopes } from '../../src/graphql/answer-scope.js';
import { DataGeneration } from '../../src/graphql/data-generation.js';
import { ResponseCache } from '../../src/graphql/response-cache.js';
import { schema } from '../../src/graphql/schema.js';

const scopes = new AnswerScopes();
const scopeOf = (query: string, variables: Record<string, unknown> = {}, name?: string) =>
  scopes.scopeOf(schema, parse(query), name, variables);

describe('the scope of an answer', () => {
  it('is the clusters the root fields are given, from literals or variables', () => {
    expect(scopeOf('{ vms(filter: { clusterId: "3" }) { totalCount } }')).toEqual({
      clusters: [3],
      usage: false,
      clusterRows: false,
    });
    expect(
      scopeOf('query ($f: VmFilter) { vms(filter: $f) { totalCount } }', {
        f: { clusterId: '7', status: 'running' },
      })?.clusters,
    ).toEqual([7]);
    expect(
      scopeOf(
        'query ($c: ID!) { a: vm(clusterId: $c, vmid: 1) { name } b: templates(clusterId: 2) { name } nodes(filter: { clusterId: $c }) { totalCount } }',
        { c: '4' },
      )?.clusters,
    ).toEqual([2, 4]);
  });

  it('is every cluster when a root field is not bound to one', () => {
    expect(scopeOf('{ vms(filter: { status: "running" }) { totalCount } }')?.clusters).toBe('all');
    expect(
      scopeOf('{ a: vms(filter: { clusterId: "1" }) { totalCount } b: storages { totalCount } }')
        ?.clusters,
    ).toBe('all');
    expect(scopeOf('{ templates { name } }')?.clusters).toBe('all');
  });

  it('selects usage fields and cluster rows through fragments, aliases and nesting', () => {
    expect(
      scopeOf(`{ vms(filter: { clusterId: "1" }) { edges { node { ...G } } } }
        fragment G on PveVm { vmid load: cpuUsage }`),
    ).toMatchObject({ usage: true, clusterRows: false });
    expect(
      scopeOf(`{ vm(clusterId: "1", vmid: 100) { pveNode { ... on PveNode { uptime } } } }`)?.usage,
    ).toBe(true);
    expect(
      scopeOf('{ storages(filter: { clusterId: "1" }) { edges { node { name lastSyncedAt } } } }')
        ?.usage,
    ).toBe(true);
    expect(
      scopeOf('{ vms(filter: { clusterId: "1" }) { edges { node { cluster { name } } } } }'),
    ).toMatchObject({ usage: false, clusterRows: true });
    expect(scopeOf('{ vms { edges { node { vmid name status tags } } } }')).toMatchObject({
      usage: false,
      clusterRows: false,
    });
  });

  it('is none for the cluster list, mutations and variables that do not coerce', () => {
    expect(scopeOf('{ clusters { name } }')).toBeNull();
    expect(scopeOf('{ cluster(id: "1") { name } vms { totalCount } }')).toBeNull();
    expect(scopeOf('mutation { resyncCluster(id: "1") { id } }')).toBeNull();
    expect(scopeOf('query ($n: Int!) { vms(first: $n) { totalCount } }', { n: 'x' })).toBeNull();
  });
});

describe('the data generation and the response cache', () => {
  const one = (id: number, usage = false): AnswerScope => ({
    clusters: [id],
    usage,
    clusterRows: false,
  });
  const all: AnswerScope = { clusters: 'all', usage: false, clusterRows: false };

  it('changes the stamp of a scope exactly when something in it changes', () => {
    const generation = new DataGeneration();
    const stamps = () => [
      generation.stamp(one(1)),
      generation.stamp(one(1, true)),
      generation.stamp(one(2)),
      generation.stamp(all),
      generation.stamp({ clusters: [2], usage: false, clusterRows: true }),
    ];
    const start = stamps();
    generation.usageChanged(1);
    const afterUsage = stamps();
    expect(afterUsage.map((s, i) => s !== start[i])).toEqual([false, true, false, false, false]);
    generation.eventsDelivered([{ clusterId: 1 }]);
    const afterEvent = stamps();
    expect(afterEvent.map((s, i) => s !== afterUsage[i])).toEqual([true, true, false, true, false]);
    generation.clustersChanged();
    const afterWrite = stamps();
    expect(afterWrite.map((s, i) => s !== afterEvent[i])).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    generation.inventoryChanged(2);
    expect(stamps().map((s, i) => s !== afterWrite[i])).toEqual([false, false, true, true, true]);
  });

  it('serves an answer until its scope changes or its time is up, and stores none that changed while running', () => {
    let now = 0;
    const generation = new DataGeneration();
    const cache = new ResponseCache({ generation, ttlMs: 1000, now: () => now });
    const answer = { status: 200, headers: [] as [string, string][], body: Buffer.from('{}') };
    const request = {};
    cache.markCacheable(request, one(1), cache.stamp(one(1)));
    expect(cache.store('k', request, answer)).toBe(true);
    generation.eventsDelivered([{ clusterId: 2 }]);
    generation.usageChanged(1);
    expect(cache.get('k')?.body.toString()).toBe('{}');
    now = 1000;
    expect(cache.get('k')).toBeUndefined();

    const second = {};
    cache.markCacheable(second, one(1), cache.stamp(one(1)));
    expect(cache.store('k', second, answer)).toBe(true);
    generation.inventoryChanged(1);
    expect(cache.get('k')).toBeUndefined();

    const during = {};
    cache.markCacheable(during, one(1), cache.stamp(one(1)));
    generation.eventsDelivered([{ clusterId: 1 }]);
    expect(cache.store('k', during, answer)).toBe(false);
    expect(cache.store('k', {}, answer)).toBe(false);
  });

  it('keeps a string answer as its UTF-8 bytes', () => {
    const cache = new ResponseCache({ generation: new DataGeneration() });
    const request = {};
    cache.markCacheable(request, one(1), cache.stamp(one(1)));
    const body = '{"data":{"name":"生产集群 é"}}';
    expect(cache.store('k', request, { status: 200, headers: [], body })).toBe(true);
    const kept = cache.get('k')!.body;
    expect(Buffer.isBuffer(kept)).toBe(true);
    expect(kept.toString('utf8')).toBe(body);
  });

  it('has an answer asked for late in its life refreshed once, at a spread point before its time limit', () => {
    let now = 0;
    let random = 0;
    const generation = new DataGeneration();
    const cache = new ResponseCache({
      generation,
      ttlMs: 1000,
      now: () => now,
      random: () => random,
    });
    const answer = { status: 200, headers: [] as [string, string][], body: Buffer.from('{}') };
    const storeNow = () => {
      const request = {};
      cache.markCacheable(request, one(1), cache.stamp(one(1)));
      return cache.store('k', request, answer);
    };
    expect(cache.claimRefresh('k')).toBe(false);
    expect(storeNow()).toBe(true);
    now = 699;
    expect(cache.claimRefresh('k')).toBe(false);
    now = 700;
    expect(cache.claimRefresh('k')).toBe(true);
    expect(cache.claimRefresh('k')).toBe(false);
    now = 999;
    expect(cache.claimRefresh('k')).toBe(false);
    expect(cache.get('k')).toBeDefined();

    // The refreshed answer replaces the kept one: a new time limit and refresh point.
    random = 0.999;
    expect(storeNow()).toBe(true);
    now = 999 + 899;
    expect(cache.claimRefresh('k')).toBe(false);
    now = 999 + 900;
    expect(cache.claimRefresh('k')).toBe(true);
    expect(cache.get('k')).toBeDefined();
    now = 999 + 1000;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.claimRefresh('k')).toBe(false);

    // A refresh whose answer is refused (here: an error status) is not claimed again; the kept
    // answer is served until its time limit, as any other.
    now = 5000;
    random = 0;
    expect(storeNow()).toBe(true);
    now = 5700;
    expect(cache.claimRefresh('k')).toBe(true);
    const refused = {};
    cache.markCacheable(refused, one(1), cache.stamp(one(1)));
    expect(cache.store('k', refused, { ...answer, status: 500 })).toBe(false);
    expect(cache.claimRefresh('k')).toBe(false);
    now = 5999;
    expect(cache.get('k')?.status).toBe(200);
    expect(cache.claimRefresh('k')).toBe(false);
  });
});
