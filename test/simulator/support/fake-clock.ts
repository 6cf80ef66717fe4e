/**
 * FakeClock is a hand-driven clock for simulators under test: `now` is what the simulator reads,
 * `advance` moves it (staleness windows, RRD intervals) without sleeping.
 */
export class FakeClock {
  private current: number;

  /** FakeClock starts at `start` ms (a fixed date, so runs are reproducible). */
  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.current = start;
  }

  /** now reads the clock; pass it as `startSimulator({ clock: clock.now })`. */
  readonly now = (): number => this.current;

  /** advance moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
}
