/** Time enters the domain only through a Clock, so the same engine runs live and in simulation. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A clock the caller moves by hand: the simulator's virtual time and the tests' fake clock. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(at: number): void {
    this.current = at;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
