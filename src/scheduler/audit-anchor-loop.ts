/**
 * Audit anchors at an interval (ESCALON_AUDIT_ANCHOR_INTERVAL, docs/security.md): a hash over
 * every ticket's chain head, stored in `audit_anchors` and printed to the server log so an
 * operator can keep copies outside the database (`escalon audit verify --anchor HASH`). With
 * several scheduler nodes, a node skips its turn when another took an anchor within the interval.
 */
import type { Clock } from '../domain/clock.ts';
import { latestAnchor, writeAnchor } from '../store/audit-repo.ts';
import type { Store } from '../store/connect.ts';

export class AuditAnchorLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: { store: Store; clock: Clock },
    private readonly opts: { intervalMs: number; log: (line: string) => void },
  ) {}

  start(): void {
    // The first anchor a minute after start (not during catch-up), then at the interval.
    this.timer = setTimeout(() => this.tick(), Math.min(60_000, this.opts.intervalMs));
    this.timer.unref();
  }

  private tick(): void {
    this.running = this.anchor(false)
      .catch((err: unknown) => this.opts.log(`audit anchor failed: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.timer) {
          this.timer = setTimeout(() => this.tick(), this.opts.intervalMs);
          this.timer.unref();
        }
      });
  }

  /** Takes an anchor (unless `force` is false and one younger than the interval exists) and logs it. */
  async anchor(force: boolean): Promise<void> {
    const now = this.deps.clock.now();
    if (!force) {
      const last = await latestAnchor(this.deps.store.db);
      if (last && now - last.at < this.opts.intervalMs * 0.9) return;
    }
    const a = await writeAnchor(this.deps.store.db, now, 'scheduler', { skipIfUnchanged: true });
    if (a.unchanged) {
      this.opts.log(
        `audit anchor ${a.hash} of ${new Date(a.at).toISOString()} still covers everything (nothing written since)`,
      );
      return;
    }
    this.opts.log(
      `audit anchor ${a.hash} at ${new Date(a.at).toISOString()} over ${a.tickets} tickets, ${a.events} events (keep a copy: escalon audit verify --anchor ${a.hash})`,
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
