// The benchmark's agent inside the measured server process, loaded with
// `node --expose-gc --import tsx --import ./bench/support/server-agent.ts src/main.ts serve` and
// driven over the IPC channel of the spawn (see server-process.ts). It answers:
// - `memory`: two full garbage collections, then process.memoryUsage() (retained memory, not the
//   garbage a poll cycle leaves behind);
// - `profile-start` / `profile-stop`: a V8 CPU profile of just a measured window, written as a
//   `.cpuprofile` file;
// - `heap-snapshot`: a heap snapshot file.
// It changes nothing else in the server and never keeps it alive (the channel is unref'd); when
// the benchmark dies (the channel closes), it shuts the server down as SIGTERM would.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';

type Command =
  | { id: number; cmd: 'memory' }
  | { id: number; cmd: 'profile-start' }
  | { id: number; cmd: 'profile-stop'; file: string }
  | { id: number; cmd: 'heap-snapshot'; file: string };

let session: Session | undefined;

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'memory':
      globalThis.gc?.();
      globalThis.gc?.();
      // A memory-reducing collection also hands V8's pooled free pages back to the system: RSS
      // read after it is what the live objects cost, not what a past burst left reserved.
      globalThis.gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      return process.memoryUsage();
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
