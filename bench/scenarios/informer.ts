// Scenario `informer`: the cost of one poll cycle through PollingWatch + SharedInformer when
// 100,000 objects are listed and 1 % of them changed. The "list" is an in-memory array, so the
// figures are the framework's own cost: diff, DeltaFIFO, cache, handler fan-out, acknowledgement.
import { createHash } from 'node:crypto';
import { PollingWatch, type PollResult } from '../../src/informer/polling-watch.js';
import { RateLimitingQueue } from '../../src/informer/rate-limiting-queue.js';
import { SharedInformer } from '../../src/informer/shared-informer.js';
import { type BenchScenario, numberOption } from '../scenario.js';
import { round, type Stats, stats } from '../support/stats.js';

/** Guest is a pvesphere-like inventory object; `hash` is its content hash (resourceVersion). */
interface Guest {
  readonly key: string;
  readonly vmid: number;
  readonly name: string;
  readonly node: string;
  readonly status: string;
  readonly cpus: number;
  readonly maxmem: number;
  readonly tags: string;
  /** digest changes with every configuration change (PVE's config digest). */
  readonly digest: number;
  readonly hash: string;
}

type GuestFields = Omit<Guest, 'hash'>;

function contentHash(fields: GuestFields): string {
  return createHash('sha1').update(JSON.stringify(fields)).digest('base64url');
}

function makeGuest(vmid: number, revision: number): Guest {
  const fields: GuestFields = {
    key: `qemu/${vmid}`,
    vmid,
    name: `vm-${vmid}`,
    node: `pve${vmid % 16}`,
    status: revision % 2 === 0 ? 'running' : 'stopped',
    cpus: 1 + (vmid % 8),
    maxmem: (1 + (vmid % 16)) * 1_073_741_824,
    tags: vmid % 3 === 0 ? 'prod;web' : 'dev',
    digest: revision,
  };
  return { ...fields, hash: contentHash(fields) };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const statsRow = (label: string, s: Stats): Array<string | number> => [
  label,
  s.mean,
  s.p50,
  s.p95,
  s.max,
];

/** Calls counts handler calls by kind. */
interface Calls {
  add: number;
  update: number;
  delete: number;
  resync: number;
}

const total = (calls: Calls): number => calls.add + calls.update + calls.delete + calls.resync;

/**
 * scenario `informer` measures steady poll cycles, an unchanged poll, the initial list and a
 * relist, and checks handler calls against changes.
 */
export const scenario: BenchScenario = {
  name: 'informer',
  order: 4,
  description:
    'PollingWatch + SharedInformer: diff of 100,000 objects with 1 % changed per cycle (--objects, --cycles, --warmup, --change)',
  async run({ options, progress, log }) {
    const objectCount = numberOption(options, 'objects', 100_000);
    const cycles = numberOption(options, 'cycles', 60);
    const warmup = numberOption(options, 'warmup', 5);
    const changeRatio = numberOption(options, 'change', 0.01);
    const changesPerCycle = Math.max(1, Math.round(objectCount * changeRatio));
    const churn = Math.max(1, Math.round(changesPerCycle / 100)); // adds = deletes per cycle

    const building = progress('build objects', objectCount);
    const current: Guest[] = [];
    for (let i = 0; i < objectCount; i++) {
      current.push(makeGuest(100 + i, 0));
      if (i % 10_000 === 9_999) building.tick(10_000);
    }
    building.done();
    let nextVmid = 100 + objectCount;
    let revision = 0;

    // The source: each poll waits for the scenario to hand it the next list (so that preparing
    // a list is never measured), then returns it as an in-memory "response".
    let nextList = deferred<readonly Guest[] | Error>();
    let listedAt = 0;
    let listedCpu = process.cpuUsage();
    const list = async (): Promise<readonly Guest[]> => {
      const next = await nextList.promise;
      nextList = deferred();
      if (next instanceof Error) throw next;
      listedAt = performance.now();
      listedCpu = process.cpuUsage();
      return next;
    };
    let nextPoll = deferred<{ poll: PollResult; at: number }>();
    const watch = new PollingWatch<Guest>({
      list,
      keyFunc: (guest) => guest.key,
      versionFunc: (guest) => guest.hash,
      intervalMs: 1,
      name: 'bench-guests',
      onPoll: (poll) => nextPoll.resolve({ poll, at: performance.now() }),
    });
    const errors: Error[] = [];
    let errorReported = deferred<void>();
    const informer = new SharedInformer<Guest>(watch, {
      name: 'bench-guests',
      keyFunc: (guest) => guest.key,
      versionFunc: (guest) => guest.hash,
      indexers: { node: (guest) => [guest.node] },
      onError: (error) => {
        errors.push(error);
        errorReported.resolve();
      },
    });
    // pvesphere's handler pattern (STYLE-ANCHORS rule 6): handlers only enqueue keys.
    const queue = new RateLimitingQueue<string>({ name: 'bench-guests' });
    const calls: Calls = { add: 0, update: 0, delete: 0, resync: 0 };
    informer.addEventHandler({
      onAdd: (guest) => {
        calls.add++;
        queue.add(guest.key);
      },
      onUpdate: (old, guest) => {
        if (old.hash === guest.hash) {
          calls.resync++;
          return;
        }
        calls.update++;
        queue.add(guest.key);
      },
      onDelete: (guest) => {
        calls.delete++;
        queue.add(guest.key); // a tombstone carries the key too
      },
    });
    const controller = new AbortController();
    const running = informer.run(controller.signal);

    /**
     * cycle hands `items` to the next poll, as freshly parsed instances like a real response
     * (new strings and version strings: no cached hashes, no equality by reference; the garbage
     * collector has a new 100,000-object response to deal with), and measures from the moment the
     * list returns until every handler has returned. Parsing itself is not measured.
     */
    const cycle = async (items: readonly Guest[]) => {
      for (const key of Object.keys(calls) as Array<keyof Calls>) calls[key] = 0;
      const response = JSON.parse(JSON.stringify(items)) as Guest[];
      const polled = nextPoll.promise;
      nextList.resolve(response);
      const { poll, at } = await polled;
      nextPoll = deferred();
      await watch.whenHandled(poll.resourceVersion);
      const handledAt = performance.now();
      const cpu = process.cpuUsage(listedCpu);
      // The keys of this cycle's one transaction (none when nothing changed).
      const batch = queue.len() > 0 ? await queue.getBatch() : [];
      for (const key of batch) queue.done(key);
      return {
        poll,
        totalMs: handledAt - listedAt,
        cpuMs: (cpu.user + cpu.system) / 1000,
        diffMs: at - listedAt,
        handleMs: handledAt - at,
        calls: { ...calls },
        batch: batch.length,
      };
    };

    /**
     * mutate changes 1 % of the source's objects in place — (changes − 2·churn) modified, churn
     * deleted, churn added — and returns the new list (the informer sees a parsed copy).
     */
    const mutate = (): Guest[] => {
      revision++;
      current.splice(0, churn); // the oldest `churn` guests are deleted
      const modify = changesPerCycle - 2 * churn;
      const stride = Math.max(1, Math.floor(current.length / modify));
      for (let i = 0, at = (revision * 7919) % stride; i < modify; i++, at += stride) {
        const index = at % current.length;
        current[index] = makeGuest(current[index]!.vmid, revision);
      }
      for (let i = 0; i < churn; i++) current.push(makeGuest(nextVmid++, revision));
      return current;
    };

    log(`initial list of ${objectCount.toLocaleString('en-US')} objects…`);
    const heapBefore = process.memoryUsage().heapUsed;
    const initial = await cycle(current);
    const heapAfter = process.memoryUsage().heapUsed;

    const unchanged = await cycle(current);

    const measuring = progress('cycles', warmup + cycles);
    const samples: Array<Awaited<ReturnType<typeof cycle>>> = [];
    for (let i = 0; i < warmup + cycles; i++) {
      const result = await cycle(mutate());
      if (i >= warmup) samples.push(result);
      measuring.tick();
    }
    measuring.done();

    // A relist after a failed poll: a full replace() of every object, 1 % of them changed.
    log('relist after a failed poll (waits for the reflector backoff, 0.8–1.6 s)…');
    errorReported = deferred();
    nextList.resolve(new Error('simulated poll failure'));
    await errorReported.promise;
    const relist = await cycle(mutate());

    controller.abort();
    await running;

    const cycleStats = stats(samples.map((sample) => sample.totalMs));
    const cpuStats = stats(samples.map((sample) => sample.cpuMs));
    const diffStats = stats(samples.map((sample) => sample.diffMs));
    const handleStats = stats(samples.map((sample) => sample.handleMs));
    const callStats = stats(samples.map((sample) => total(sample.calls)));
    const ratio = callStats.mean / changesPerCycle;
    const exactlyOnePerChange = samples.every((sample) => total(sample.calls) === changesPerCycle);

    const hashing = (() => {
      const fields = current.slice(0, Math.min(objectCount, 100_000));
      const started = performance.now();
      for (const guest of fields) contentHash(guest);
      return ((performance.now() - started) * objectCount) / fields.length;
    })();

    const callCells = (c: Calls): string =>
      `${c.add} add / ${c.update} update / ${c.delete} delete / ${c.resync} resync`;

    return {
      summary:
        `cycle p50 ${cycleStats.p50} ms, p95 ${cycleStats.p95} ms for ` +
        `${objectCount.toLocaleString('en-US')} objects; ` +
        `${callStats.mean} handler calls for ${changesPerCycle} changes (ratio ${ratio.toFixed(2)}); ` +
        `${errors.length === 1 ? 'the simulated failure was reported' : `${errors.length} errors reported`}.`,
      tables: [
        {
          title: `Steady poll cycles, ms (${cycles} measured after ${warmup} warm-up)`,
          columns: ['measure', 'mean', 'p50', 'p95', 'max'],
          rows: [
            statsRow('cycle: list returned → every handler returned', cycleStats),
            statsRow('  CPU time of the process during the cycle', cpuStats),
            statsRow('  diff + DeltaFIFO enqueue', diffStats),
            statsRow('  pop + cache + handlers + acknowledgement', handleStats),
            statsRow('handler calls per cycle', callStats),
          ],
        },
        {
          title: 'Other cycles',
          columns: [
            'cycle',
            'objects listed',
            'changes',
            'handler calls',
            'work-queue batch',
            'ms',
          ],
          rows: [
            [
              'initial list (replace into an empty cache)',
              objectCount,
              objectCount,
              callCells(initial.calls),
              initial.batch,
              round(initial.totalMs),
            ],
            [
              'unchanged poll',
              objectCount,
              0,
              callCells(unchanged.calls),
              unchanged.batch,
              round(unchanged.totalMs),
            ],
            [
              'steady poll (last)',
              samples.at(-1)!.poll.listed,
              changesPerCycle,
              callCells(samples.at(-1)!.calls),
              samples.at(-1)!.batch,
              round(samples.at(-1)!.totalMs),
            ],
            [
              'relist after a failed poll (replace)',
              relist.poll.listed,
              changesPerCycle,
              callCells(relist.calls),
              relist.batch,
              round(relist.totalMs),
            ],
          ],
        },
        {
          title: 'Reference',
          columns: ['measure', 'value'],
          rows: [
            [
              'changes per cycle (modified / deleted / added)',
              `${changesPerCycle - 2 * churn} / ${churn} / ${churn}`,
            ],
            [
              'heap used after − before the initial sync (MB, approximate)',
              round((heapAfter - heapBefore) / 1_048_576),
            ],
            [
              `sha1 content hash of ${objectCount.toLocaleString('en-US')} objects (ms, not in the cycle)`,
              round(hashing),
            ],
          ],
        },
      ],
      goals: [
        {
          name: 'cycle time (p95)',
          target: '< 100 ms',
          actual: `${cycleStats.p95} ms (p50 ${cycleStats.p50} ms, CPU p50 ${cpuStats.p50} ms)`,
          met: cycleStats.p95 < 100,
        },
        {
          name: 'handler calls per change',
          target: '1.00 (proportional to changes, not to the list)',
          actual: ratio.toFixed(2),
          met: exactlyOnePerChange && total(unchanged.calls) === 0,
        },
        {
          name: 'relist handler calls per change',
          target: '1.00',
          actual: (total(relist.calls) / changesPerCycle).toFixed(2),
          met: total(relist.calls) === changesPerCycle,
        },
      ],
      data: {
        objects: objectCount,
        changesPerCycle,
        cycles,
        warmup,
        cycleMs: { ...cycleStats, samples: samples.map((sample) => round(sample.totalMs)) },
        cycleCpuMs: cpuStats,
        diffMs: diffStats,
        handleMs: handleStats,
        handlerCallsPerCycle: callStats.mean,
        handlerCallsPerChange: ratio,
        initialListMs: round(initial.totalMs),
        unchangedPollMs: round(unchanged.totalMs),
        unchangedPollHandlerCalls: total(unchanged.calls),
        relistMs: round(relist.totalMs),
        relistHandlerCalls: total(relist.calls),
        initialSyncHeapMB: round((heapAfter - heapBefore) / 1_048_576),
        sha1HashAllObjectsMs: round(hashing),
        errorsReported: errors.map((error) => error.message),
      },
    };
  },
};
