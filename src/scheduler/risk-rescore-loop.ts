/**
 * The scheduler's risk rescoring (issue 14): every `intervalMs` (ESCALON_RISK_INTERVAL, 15
 * minutes by default) every open ticket is rescored (app/risk-rescore.ts). A new model version
 * (escalon risk use, the admin API — on any node) is noticed within `checkMs` and rescored at
 * once, so a model takes over promptly rather than at the next interval. With no model in force
 * a check is one primary-key read.
 */
import { rescoreOpenTickets, type RescoreDeps, type RescoreResult } from '../app/risk-rescore.ts';

export interface RiskRescoreOptions {
  intervalMs: number;
  /** How often the model version is checked (default 10 s, at most the interval). */
  checkMs?: number;
  log?: (msg: string) => void;
}

export class RiskRescoreLoop {
  private stopped = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastVersion = 0;
  private lastRun = -Infinity;
  /** The last pass's result (tests, metrics). */
  last: RescoreResult | null = null;

  constructor(
    private readonly deps: RescoreDeps,
    private readonly options: RiskRescoreOptions,
  ) {}

  start(): void {
    if (!this.running && this.deps.live.risk) this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  /** One check: rescores when the model version changed or the interval has passed. */
  async tick(): Promise<RescoreResult | null> {
    const risk = this.deps.live.risk;
    if (!risk) return null;
    const model = await risk.refresh(this.deps.store.db);
    const version = model?.version ?? 0;
    const now = this.deps.clock.now();
    if (!model) {
      this.lastVersion = 0;
      return null;
    }
    if (version === this.lastVersion && now - this.lastRun < this.options.intervalMs) return null;
    this.lastVersion = version;
    this.lastRun = now;
    this.last = await rescoreOpenTickets(this.deps);
    return this.last;
  }

  private async loop(): Promise<void> {
    const checkMs = Math.min(this.options.checkMs ?? 10_000, this.options.intervalMs);
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (err) {
        this.options.log?.(`risk rescoring: ${(err as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, checkMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = null;
    }
  }
}
