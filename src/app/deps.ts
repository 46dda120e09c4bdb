/** What every use case is handed: the store, the clock, and the engine seam (absent until the engine lands). */
import type { Clock } from '../domain/clock.ts';
import type { ByteStore } from '../store/byte-store.ts';
import type { Store } from '../store/connect.ts';
import type { TicketEngine } from './engine-seam.ts';
import type { LiveEngine } from './live-engine.ts';

export interface AppDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly engine?: TicketEngine;
  /** The live escalation engine (policy, timers); when present it is also `engine`. */
  readonly live?: LiveEngine;
  /** Largest attachment accepted, in bytes. */
  readonly attachmentLimit: number;
  /** Where attachment bytes go; uploads and downloads are refused (503) without one. */
  readonly files?: ByteStore;
  /** Writing history (the demo seed): staff replies are recorded, never delivered to customers. */
  readonly history?: boolean;
}

/** The wall clock, for the live server (domain code never reads it directly). */
export const systemClock: Clock = { now: () => Date.now() };
