import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../bench/support/calibration.js';
import { summarizeCpuProfile } from '../../bench/support/cpu-profile.js';
import { heapGrowth } from '../../bench/support/heap-snapshot.js';
import { originalListCalls } from '../../bench/support/inventory-report.js';
import { pollCycles } from '../../bench/support/poll-cycles.js';
import { histogramMean, MetricsSnapshot, parsePrometheus } from '../../bench/support/prometheus.js';
import { percentile, stats } from '../../bench/support/stats.js';

const call = (endpoint: string, at: number) => ({ endpoint, receivedAt: at, sentAt: at + 2 });

describe('pollCycles', () => {
  it('groups list calls into cycles by pauses and counts only cycles inside the window', () => {
    const calls = [
      // a cycle that starts before the window: not counted
      call('GET /nodes', 90),
      call('GET /nodes/{node}/qemu', 95),
      // two per-node cycles inside it
      call('GET /nodes', 1000),
      call('GET /nodes/{node}/qemu', 1005),
      call('GET /nodes/{node}/lxc', 1010),
      call('GET /cluster/status', 1012),
      call('GET /nodes', 2000),
      call('GET /nodes/{node}/qemu', 2004),
      call('GET /nodes/{node}/lxc', 2009),
      // one that ends after it: not counted
      call('GET /nodes', 3000),
    ];
    expect(pollCycles(calls, 100, 3001, 500)).toEqual({
      cycles: 2,
      listCalls: 6,
      metaCalls: 1,
      byEndpoint: {
        'GET /nodes': 2,
        'GET /nodes/{node}/qemu': 2,
        'GET /nodes/{node}/lxc': 2,
        'GET /cluster/status': 1,
      },
    });
  });
});

describe('Prometheus scrapes', () => {
  const scrape = (text: string) => new MetricsSnapshot(parsePrometheus(text));

  it('sums the samples whose labels match, escapes included', () => {
    const metrics = scrape(
      [
        '# HELP pvesphere_sync_cycles_total Sync poll cycles.',
        '# TYPE pvesphere_sync_cycles_total counter',
        'pvesphere_sync_cycles_total{cluster_id="1",outcome="unchanged"} 7',
        'pvesphere_sync_cycles_total{cluster_id="2",outcome="unchanged"} 5',
        'pvesphere_sync_cycles_total{cluster_id="2",outcome="changed"} 1',
        'odd_label{path="a \\"quoted\\" one"} 3',
      ].join('\n'),
    );
    expect(metrics.sum('pvesphere_sync_cycles_total')).toBe(13);
    expect(metrics.sum('pvesphere_sync_cycles_total', { outcome: 'unchanged' })).toBe(12);
    expect(metrics.sum('odd_label', { path: 'a "quoted" one' })).toBe(3);
    expect(metrics.sum('missing')).toBe(0);
  });

  it('computes a histogram mean from the _sum and _count deltas', () => {
    const before = scrape('h_sum{outcome="x"} 1\nh_count{outcome="x"} 2');
    const after = scrape('h_sum{outcome="x"} 1.5\nh_count{outcome="x"} 4');
    expect(histogramMean(before, after, 'h', { outcome: 'x' })).toEqual({ mean: 0.25, count: 2 });
    expect(histogramMean(before, before, 'h').mean).toBeNaN();
  });
});

describe('stats', () => {
  it('uses nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([
      50, 99, 100,
    ]);
    expect(stats([3, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p95: 3, p99: 3, max: 3 });
    expect(percentile([], 50)).toBeNaN();
  });

  it('computes the original list calls as 2 + 2·N', () => {
    expect(originalListCalls(16)).toBe(34);
  });
});

describe('profile summaries', () => {
  it('ranks self and total time and leaves out the benchmark agent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-profile-'));
    try {
      const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
      const file = join(dir, 'x.cpuprofile');
      await writeFile(
        file,
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
            { id: 2, callFrame: frame('cycle', 'file:///p/src/a.ts'), children: [3] },
            { id: 3, callFrame: frame('hash', 'file:///p/src/b.ts') },
            { id: 4, callFrame: frame('handle', 'file:///p/bench/support/server-agent.ts') },
            { id: 5, callFrame: frame('(idle)') },
          ],
          samples: [3, 3, 2, 4, 5],
          timeDeltas: [1000, 1000, 1000, 5000, 9000],
          startTime: 0,
          endTime: 17000,
        }),
      );
      const summary = await summarizeCpuProfile(file);
      expect(summary.sampledMs).toBe(3);
      expect(summary.topSelf.map((e) => [e.name.split(' ')[0], e.ms])).toEqual([
        ['hash', 2],
        ['cycle', 1],
      ]);
      expect(summary.topTotal.map((e) => [e.name.split(' ')[0], e.ms])).toEqual([
        ['cycle', 3],
        ['hash', 2],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports heap growth by group, largest first', () => {
    expect(
      heapGrowth(
        [{ name: 'Object', count: 10, selfBytes: 100 }],
        [
          { name: 'Object', count: 30, selfBytes: 400 },
          { name: '(string)', count: 5, selfBytes: 500 },
        ],
      ),
    ).toEqual([
      { name: '(string)', count: 5, selfBytes: 500 },
      { name: 'Object', count: 20, selfBytes: 300 },
    ]);
  });
});

describe('monotonic time across processes', () => {
  it('maps a reading taken in another process onto this process’s performance.now()', async () => {
    const { execFileSync } = await import('node:child_process');
    const { monotonicMs, toPerformanceTime } = await import('../../bench/support/monotonic.js');
    const before = performance.now();
    const theirs = Number(
      execFileSync(
        process.execPath,
        ['-e', 'process.stdout.write(String(process.hrtime.bigint()))'],
        {
          encoding: 'utf8',
        },
      ),
    );
    const after = performance.now();
    const mapped = toPerformanceTime(theirs / 1e6);
    expect(mapped).toBeGreaterThanOrEqual(before);
    expect(mapped).toBeLessThanOrEqual(after);
    expect(toPerformanceTime(monotonicMs())).toBeCloseTo(performance.now(), 0);
  });
});

describe('calibration', () => {
  it('times the fixed workload: a positive median in ms, to the hundredth', () => {
    const ms = calibrate(3);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
    expect(Math.round(ms * 100) / 100).toBe(ms);
  });
});
