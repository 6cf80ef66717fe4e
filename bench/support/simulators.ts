import { generateCertificate } from '../../src/simulator/certificate.js';
import {
  type RunningSimulator,
  type SimulatorResponse,
  startSimulator,
} from '../../src/simulator/simulator.js';

/** ListCall is one answered list call (`/cluster/resources`, `/nodes`, `/cluster/status`, …). */
export interface ListCall {
  endpoint: string;
  receivedAt: number;
  sentAt: number;
}

/** DetailCall is one answered per-guest call (config, guest agent, interfaces). */
export interface DetailCall {
  vmid: number;
  endpoint: string;
  sentAt: number;
}

/**
 * BenchCluster is one simulated PVE cluster of a scenario, with what its answers tell: when each
 * `/cluster/resources` poll was answered, and every per-guest detail call.
 */
export class BenchCluster {
  /** Every answered `/cluster/resources` call: arrival and send times (performance.now()). */
  readonly polls: Array<{ receivedAt: number; sentAt: number }> = [];
  /** Every answered list call (any status). */
  readonly lists: ListCall[] = [];
  /** Every answered per-guest detail call (any status: a 500 from a stopped agent is a call). */
  readonly details: DetailCall[] = [];
  readonly #pollWaiters = new Set<(poll: { receivedAt: number; sentAt: number }) => void>();
  #sim: RunningSimulator | undefined;

  constructor(
    readonly index: number,
    readonly name: string,
  ) {}

  /** sim is the running simulator. */
  get sim(): RunningSimulator {
    if (!this.#sim) throw new Error(`simulator ${this.name} is not started`);
    return this.#sim;
  }

  /** attach binds the started simulator. */
  attach(sim: RunningSimulator): void {
    this.#sim = sim;
  }

  /** record hears one answered call (SimulatorOptions.onResponse). */
  record(response: SimulatorResponse): void {
    if (response.kind === 'list') {
      this.lists.push({
        endpoint: response.endpoint,
        receivedAt: response.receivedAt,
        sentAt: response.sentAt,
      });
    }
    if (response.endpoint === 'GET /cluster/resources' && response.status === 200) {
      const poll = { receivedAt: response.receivedAt, sentAt: response.sentAt };
      this.polls.push(poll);
      for (const wake of this.#pollWaiters) wake(poll);
    } else if (response.kind === 'detail') {
      const vmid = Number(/\/(?:qemu|lxc)\/(\d+)\//.exec(response.path)?.[1]);
      this.details.push({ vmid, endpoint: response.endpoint, sentAt: response.sentAt });
    }
  }

  /**
   * nextPoll resolves with the first `/cluster/resources` answer whose request arrived at or
   * after `after` (performance.now()): the first poll that can see a change made at `after`.
   */
  nextPoll(after: number, timeoutMs = 30_000): Promise<{ receivedAt: number; sentAt: number }> {
    const past = this.polls.find((poll) => poll.receivedAt >= after);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pollWaiters.delete(wake);
        reject(new Error(`${this.name}: no poll within ${timeoutMs} ms`));
      }, timeoutMs);
      const wake = (poll: { receivedAt: number; sentAt: number }) => {
        if (poll.receivedAt < after) return;
        clearTimeout(timer);
        this.#pollWaiters.delete(wake);
        resolve(poll);
      };
      this.#pollWaiters.add(wake);
    });
  }
}

/** SimulatedClustersOptions size the simulated clusters of a scenario. */
export interface SimulatedClustersOptions {
  clusters: number;
  nodes: number;
  guests: number;
  /** Seed of the first cluster; cluster i uses seed + i. @default 7000 */
  seed?: number;
  /** Called after each simulator started (progress). */
  onStarted?: () => void;
}

/**
 * startSimulatedClusters starts `clusters` simulators (HTTPS, one certificate shared by all) in
 * this process, each recording its answers into a {@link BenchCluster}.
 */
export async function startSimulatedClusters(
  options: SimulatedClustersOptions,
): Promise<BenchCluster[]> {
  const certificate = await generateCertificate();
  const clusters: BenchCluster[] = [];
  try {
    for (let i = 0; i < options.clusters; i++) {
      const cluster = new BenchCluster(i, `bench-${i + 1}`);
      cluster.attach(
        await startSimulator({
          nodes: options.nodes,
          guests: options.guests,
          seed: (options.seed ?? 7000) + i,
          clusterName: cluster.name,
          certificate,
          onResponse: (response) => cluster.record(response),
        }),
      );
      clusters.push(cluster);
      options.onStarted?.();
    }
  } catch (err) {
    await stopSimulatedClusters(clusters);
    throw err;
  }
  return clusters;
}

/** stopSimulatedClusters stops every started simulator. */
export async function stopSimulatedClusters(clusters: readonly BenchCluster[]): Promise<void> {
  await Promise.allSettled(clusters.map((cluster) => cluster.sim.stop()));
}
