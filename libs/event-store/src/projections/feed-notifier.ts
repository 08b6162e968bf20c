import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '../store/event-store.js';

export const FEED_CHANNEL = 'chancery_events';

/**
 * Tells projection runners in other processes that the feed has grown: a NOTIFY after commits, not
 * inside them (a NOTIFY in a writing transaction serializes every commit on the notification queue).
 * Appends that commit while one is being sent are covered by one more, sent at least `intervalMs`
 * later: one notification in flight per process, at most 1000 / intervalMs a second. A notification
 * lost to a crash is made up for by the runners' polling.
 */
export class FeedNotifier {
  private readonly logger = new Logger(FeedNotifier.name);
  private pending = false;
  private sending?: Promise<void>;
  private readonly onAppended = () => {
    this.pending = true;
    this.sending ??= this.flush();
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly intervalMs = 10,
  ) {}

  start(): void {
    this.store.signals.on('appended', this.onAppended);
  }

  async stop(): Promise<void> {
    this.store.signals.off('appended', this.onAppended);
    await this.sending;
  }

  private async flush(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      try {
        await this.dataSource.query(`SELECT pg_notify('${FEED_CHANNEL}', '')`);
      } catch (error) {
        this.logger.warn(`Could not notify projection runners (${(error as Error).message}); they will poll`);
      }
      await sleep(this.intervalMs);
    }
    this.sending = undefined;
  }
}
