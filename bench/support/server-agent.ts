// The benchmark's agent inside the measured server process, loaded with
// `node --expose-gc --import tsx --import ./bench/support/server-agent.ts src/main.ts serve` and
// driven over the IPC channel of the spawn (see server-process.ts). It answers:
// - `memory`: the memory the live objects retain (see retainedMemory): process.memoryUsage()
//   and V8's heap spaces after collecting until RSS stops falling, then after V8's
//   memory-reducing collection;
// - `profile-start` / `profile-stop`: a V8 CPU profile of just a measured window, written as a
//   `.cpuprofile` file;
// - `heap-snapshot`: a heap snapshot file.
// It changes nothing else in the server and never keeps it alive (the channel is unref'd); when
// the benchmark dies (the channel closes), it shuts the server down as SIGTERM would.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { reduceMemory } from './reduce-memory.js';

type Command =
  | { id: number; cmd: 'memory'; reduce: boolean }
  | { id: number; cmd: 'profile-start' }
  | { id: number; cmd: 'profile-stop'; file: string }
  | { id: number; cmd: 'heap-snapshot'; file: string };

let session: Session | undefined;

/** RSS readings closer than this are "settled" (V8 hands freed pages back in 256 KiB pages). */
const SETTLED_BYTES = 512 * 1024;
/** A collection round that frees less than this share of RSS ends the rounds. */
const FREED_SHARE = 0.01;
const MAX_ROUNDS = 5;
const MAX_REDUCING_ROUNDS = 3;

/** collect runs two full collections. */
function collect(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

/**
 * settledRss waits until RSS stops moving (at most ~2 s) and returns it: V8 returns the pages a
 * collection freed from a background thread, 100–300 ms after the collection (measured: RSS read
 * at once 422 MiB, 319 MiB 300 ms later, at 20,000 guests).
 */
async function settledRss(): Promise<number> {
  let last = process.memoryUsage.rss();
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = process.memoryUsage.rss();
    if (Math.abs(now - last) < SETTLED_BYTES && i >= 3) return now;
    last = now;
  }
  return last;
}

/**
 * untilSettled runs `round`, then reads RSS once settled, again and again until a round frees less
 * than FREED_SHARE of RSS or `maxRounds` ran; returns the last settled RSS (`rss` if none ran).
 */
async function untilSettled(rss: number, maxRounds: number, round: () => unknown): Promise<number> {
  let last = rss;
  for (let i = 0; i < maxRounds; i++) {
    await round();
    const settled = await settledRss();
    const freed = last - settled;
    last = settled;
    if (freed < settled * FREED_SHARE) break;
  }
  return last;
}

/**
 * retainedMemory is what the live objects cost: full collections are repeated until a round frees
 * less than 1 % of RSS (at most five rounds; a second round still freed 54 MiB of 319 at 20,000
 * guests, garbage whose native memory the first round's finalizers released) and RSS is read once
 * it has settled (`ordinaryRss`). Then V8's memory-reducing collection runs (reduceMemory) by the
 * same rule — until a round frees less than 1 % of RSS, at most three rounds, as V8's memory
 * reducer itself runs up to three in a row while the last is likely to free more: one compacts
 * only so many fragmented pages (at 100,000 guests 21 MiB of old space stayed committed beyond
 * the live objects after one) — and RSS is read once settled (`rss`), with the heap figures right
 * after the last round (`reducingMs`: the rounds' pauses added up). The ordinary reading still
 * holds what the collections left fragmented and the young generation at the size the polls grew
 * it to (64 MiB under `npm start`'s `--max-semi-space-size=32`), which a server left alone hands
 * back by itself (see reduce-memory.ts). With `reduce` false the memory-reducing rounds are skipped
 * (`rss` is then `ordinaryRss`): for readings that more measures follow, since a young generation
 * shrunk to 1 MiB costs the next burst of work its growth (measured: an initial sync of
 * 10 × 1,000 guests right after a reducing reading took 1,250–1,310 ms of server CPU, 1,040–1,070
 * ms without one).
 */
async function retainedMemory(reduce: boolean): Promise<unknown> {
  const ordinaryRss = await untilSettled(Number.POSITIVE_INFINITY, MAX_ROUNDS, collect);
  let reducingMs = 0;
  let heap = process.memoryUsage();
  let spaces = getHeapSpaceStatistics();
  const rss = await untilSettled(ordinaryRss, reduce ? MAX_REDUCING_ROUNDS : 0, async () => {
    reducingMs += await reduceMemory();
    heap = process.memoryUsage();
    spaces = getHeapSpaceStatistics();
  });
  return {
    ...heap,
    rss,
    ordinaryRss,
    reducingMs,
    // Committed (size) and used bytes per V8 space: where heapTotal − heapUsed sits.
    spaces: Object.fromEntries(
      spaces.map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
    ),
  };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'memory':
      return retainedMemory(command.reduce);
    case 'profile-start':
      session ??= new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      return null;
    case 'profile-stop': {
      if (!session) throw new Error('no profile running');
      const { profile } = await session.post('Profiler.stop');
      await writeFile(command.file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      return command.file;
    }
    case 'heap-snapshot':
      globalThis.gc?.();
      return writeHeapSnapshot(command.file);
  }
}

process.on('message', (message: Command) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, result }),
    (err: unknown) => process.send?.({ id: message.id, error: String(err) }),
  );
});
process.channel?.unref();
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
