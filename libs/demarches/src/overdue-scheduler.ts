import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, utcDate } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory, RUN_PROJECTIONS } from '@chancery/event-store';
import { Delivery, deliveryDefinition, deliveryId } from './domain/delivery.aggregate.js';

const LOCK = 0x4f564552; // "OVER": one scan at a time across processes

export interface OverdueTask {
  /** Records what became overdue since the last scan; answers how many items it marked. */
  scan(): Promise<number>;
}

/**
 * Looks for what has passed its date and records it as an event, once: deliveries past their
 * campaign's report-by date (and, through registered tasks, follow-ups past their due date). Runs
 * every OVERDUE_SCAN_MS in processes that run projections; the clock is injectable.
 */
@Injectable()
export class OverdueScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OverdueScheduler.name);
  private readonly deliveries: AggregateRepository<Delivery>;
  private readonly tasks: OverdueTask[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUN_PROJECTIONS) private readonly runsProjections: boolean,
  ) {
    this.deliveries = repositories.for(deliveryDefinition);
    this.tasks.push({ scan: () => this.scanDeliveries() });
  }

  register(task: OverdueTask): void {
    this.tasks.push(task);
  }

  onApplicationBootstrap(): void {
    if (!this.runsProjections || this.config.overdueScanMs === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.scan()
        .catch((error) => this.logger.error(`Overdue scan failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.overdueScanMs);
  }

  // Before TypeORM closes its pool (that is the last shutdown phase).
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every task, under a lock so that two processes do not scan at once. */
  async scan(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [LOCK]);
      if (!locked) return 0;
      try {
        let marked = 0;
        for (const task of this.tasks) marked += await task.scan();
        return marked;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async scanDeliveries(): Promise<number> {
    const now = this.clock.now();
    const due = await sql<{ campaign_id: string; post: string; report_by: Date }>(
      this.dataSource,
      `SELECT d.campaign_id, d.post, c.report_by FROM demarche_deliveries d JOIN demarche_campaigns c ON c.id = d.campaign_id
       WHERE d.status IN ('PENDING', 'DELIVERED') AND d.overdue_since IS NULL AND c.report_by < $1::date`,
      [utcDate(now)],
    );
    const context = { actor: { id: 'system', username: 'overdue-scheduler', role: 'system' }, requestId: `overdue:${now.toISOString()}` };
    for (const row of due) {
      const id = deliveryId(row.campaign_id, row.post);
      const reportBy = utcDate(row.report_by);
      const mark = (delivery: Delivery) => delivery.markOverdue(reportBy, now.toISOString());
      // A delivery no post wrote yet gets its stream started by this event.
      await this.deliveries.updateOrStart(context, 'MarkDeliveryOverdue', id, mark, () => undefined);
    }
    return due.length;
  }
}
