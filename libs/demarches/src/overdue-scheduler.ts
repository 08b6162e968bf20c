import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { backoff, Clock, type CommandContext, DepartmentCalendar } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { isContentionError, isTransientDatabaseError, sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory, RUN_PROJECTIONS } from '@chancery/event-store';
import { Delivery, deliveryDefinition, deliveryId } from './domain/delivery.aggregate.js';

const LOCK_NAMESPACE = 0x4f564552; // "OVER": one marker per item across processes
/** Tries of one mark on transient errors (deadlock, serialization, lock timeout, lost connection). */
const MAX_TRIES = 5;

/** Something past its date, not yet recorded as overdue. */
export interface OverdueItem {
  /** Unique across tasks (`delivery:<id>`): the name of the item's lock. */
  key: string;
  /**
   * Records it, in a transaction of its own. `claim(tx)` takes the item's transaction-level lock
   * and answers false when another process holds it: decide nothing then.
   */
  mark(context: CommandContext, claim: (tx: EntityManager) => Promise<boolean>): Promise<void>;
}

export interface OverdueTask {
  readonly name: string;
  /** What has passed its date at `now` and is not yet recorded (one short read). */
  due(now: Date): Promise<OverdueItem[]>;
}

export interface OverdueFailure {
  key: string;
  error: string;
  at: string;
}

export interface OverdueSchedulerStatus {
  enabled: boolean;
  intervalMs: number;
  lastScanAt: string | null;
  lastMarked: number;
  /** Items whose last mark failed; each scan tries them again, so none is skipped for good. */
  failing: OverdueFailure[];
}

/**
 * Looks for what has passed its date and records it as an event, once: deliveries past their
 * campaign's report-by date (and, through registered tasks, follow-ups past their due date).
 *
 * It never holds a connection while it waits for another (the embedded pool has one): the scan
 * is a short read, then each mark is a command in its own transaction, guarded by a
 * transaction-level advisory lock on the item, so two processes never mark the same item and
 * nothing is left locked when a connection goes away (nor under PgBouncer's transaction pooling).
 * The scan is state-based: an item whose mark failed is still due at the next scan.
 */
@Injectable()
export class OverdueScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OverdueScheduler.name);
  private readonly deliveries: AggregateRepository<Delivery>;
  private readonly tasks: OverdueTask[] = [];
  private readonly failing = new Map<string, OverdueFailure>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;
  private lastScanAt: string | null = null;
  private lastMarked = 0;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUN_PROJECTIONS) private readonly runsProjections: boolean,
  ) {
    this.deliveries = repositories.for(deliveryDefinition);
    this.tasks.push({ name: 'deliveries', due: (now) => this.dueDeliveries(now) });
  }

  register(task: OverdueTask): void {
    this.tasks.push(task);
  }

  get enabled(): boolean {
    return this.runsProjections && this.config.overdueScanMs > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => {
      this.running ??= this.scan()
        .catch((error) => this.logger[isContentionError(error) ? 'warn' : 'error'](`Overdue scan failed (again at the next): ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.overdueScanMs);
  }

  // In the first shutdown phase, before TypeORM closes its pool: the scan in progress ends after
  // the mark it is making (one short transaction), not after the whole list.
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  status(): OverdueSchedulerStatus {
    return {
      enabled: this.enabled,
      intervalMs: this.config.overdueScanMs,
      lastScanAt: this.lastScanAt,
      lastMarked: this.lastMarked,
      failing: [...this.failing.values()],
    };
  }

  /** One pass over every task; answers how many items it looked at and marked (or found marked). */
  async scan(): Promise<number> {
    const now = this.clock.now();
    const context: CommandContext = { actor: { id: 'system', username: 'overdue-scheduler', role: 'system' }, requestId: `overdue:${now.toISOString()}` };
    let marked = 0;
    for (const task of this.tasks) {
      if (this.stopping) break;
      for (const item of await task.due(now)) {
        if (this.stopping) break;
        if (await this.markOne(item, context)) marked++;
      }
    }
    this.lastScanAt = now.toISOString();
    this.lastMarked = marked;
    return marked;
  }

  private async markOne(item: OverdueItem, context: CommandContext): Promise<boolean> {
    const claim = async (tx: EntityManager) => {
      const [{ claimed }] = await tx.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS claimed', [LOCK_NAMESPACE, item.key]);
      return claimed as boolean;
    };
    for (let tryNo = 1; ; tryNo++) {
      try {
        await item.mark(context, claim);
        this.failing.delete(item.key);
        return true;
      } catch (error) {
        if (isTransientDatabaseError(error) && tryNo < MAX_TRIES && !this.stopping) {
          await sleep(backoff(tryNo));
          continue;
        }
        const message = (error as Error).message;
        this.failing.set(item.key, { key: item.key, error: message, at: new Date().toISOString() });
        this.logger.warn(`Could not record ${item.key} as overdue (tried again at the next scan): ${message}`);
        return false;
      }
    }
  }

  private async dueDeliveries(now: Date): Promise<OverdueItem[]> {
    const due = await sql<DueDeliveryRow>(
      this.dataSource,
      `SELECT d.campaign_id, d.post, c.report_by FROM demarche_deliveries d JOIN demarche_campaigns c ON c.id = d.campaign_id
       WHERE d.status IN ('PENDING', 'DELIVERED') AND d.overdue_since IS NULL AND c.report_by < $1::date`,
      [this.calendar.dayOf(now)],
    );
    return due.map((row) => {
      const id = deliveryId(row.campaign_id, row.post);
      const reportBy = row.report_by;
      return {
        key: `delivery:${id}`,
        // A delivery no post wrote yet gets its stream started by this event.
        mark: (context, claim) =>
          this.deliveries.updateOrStart(
            context,
            'MarkDeliveryOverdue',
            id,
            async (delivery, tx) => {
              // Due as of the scan; recorded at the time of the attempt that commits.
              const at = this.clock.now();
              if (await claim(tx)) delivery.markOverdue(reportBy, at.toISOString(), this.calendar.dayOf(at));
            },
            () => undefined,
          ),
      };
    });
  }
}

interface DueDeliveryRow {
  campaign_id: string;
  post: string;
  /** A calendar date's text (`dataSourceOptions` reads dates as text). */
  report_by: string;
}
