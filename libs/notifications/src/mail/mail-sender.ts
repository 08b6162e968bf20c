import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { sql } from '@chancery/database';
import { RUN_PROJECTIONS } from '@chancery/event-store';

interface OutboxRow {
  id: string;
  event_id: string;
  user_id: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

export interface MailStatus {
  enabled: boolean;
  pending: number;
  /** Unsent mail whose last try failed: retried with backoff, never dropped. */
  failing: { id: number; to: string; attempts: number; error: string; nextAttemptAt: string }[];
}

const BATCH = 20;
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 3_600_000;
/** A claimed row whose sender died is tried again after this. */
const CLAIM = '2 minutes';

/**
 * Sends the outbox the notification mailer fills, through SMTP (nodemailer), in each process that
 * runs the projections, when SMTP_URL is set. A row is claimed in a short transaction
 * (`FOR UPDATE SKIP LOCKED`: two processes never send it both), sent with no database connection
 * held, then marked sent. A failure is logged and tried again with backoff (0.5 s doubling to an
 * hour), for as long as it takes: mail is never dropped, and what is failing shows in `status()`.
 * Delivery is at least once: a process that dies between sending and marking sends it again; the
 * Message-ID is the same each time (event and person), so mail clients can tell.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailSender.name);
  private transporter?: Transporter;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUN_PROJECTIONS) private readonly runProjections: boolean,
  ) {}

  onApplicationBootstrap(): void {
    const url = this.config.mail.smtpUrl;
    if (!url || !this.runProjections) return;
    this.transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 5_000, socketTimeout: 10_000 });
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake?.();
    // A send under way is given a moment; shutdown must finish within 10 s whatever the mail server does.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    this.transporter?.close();
  }

  /** Sends what is due now; answers how many were sent. The loop calls it; tests may too. */
  async sendDue(): Promise<number> {
    if (!this.transporter) return 0;
    const rows = await sql<OutboxRow>(
      this.dataSource,
      `UPDATE notification_emails SET claimed_until = now() + interval '${CLAIM}', attempts = attempts + 1
       WHERE id IN (SELECT id FROM notification_emails
                    WHERE sent_at IS NULL AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                    ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       RETURNING id, event_id, user_id, to_address, subject, body, attempts`,
    );
    let sent = 0;
    for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      if (!this.running && sent > 0) break; // the claim lapses and another process (or the next start) sends the rest
      try {
        await this.transporter.sendMail({
          from: this.config.mail.from,
          to: row.to_address,
          subject: row.subject,
          text: row.body,
          messageId: `<${row.event_id}.${row.user_id}@chancery>`,
        });
        await sql(this.dataSource, 'UPDATE notification_emails SET sent_at = now(), claimed_until = NULL, last_error = NULL WHERE id = $1', [row.id]);
        sent++;
      } catch (error) {
        const wait = Math.min(BASE_BACKOFF_MS * 2 ** (row.attempts - 1), MAX_BACKOFF_MS);
        const message = (error as Error).message;
        this.logger.error(`Notification email ${row.id} to ${row.to_address} failed (attempt ${row.attempts}), retrying in ${wait} ms: ${message}`);
        await sql(
          this.dataSource,
          `UPDATE notification_emails SET claimed_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
          [row.id, message.slice(0, 1000), wait],
        ).catch((e: Error) => this.logger.error(`Could not record the failure of email ${row.id}: ${e.message}; its claim lapses and it is tried again`));
      }
    }
    return sent;
  }

  async status(): Promise<MailStatus> {
    const [{ pending }] = await sql<{ pending: number }>(this.dataSource, 'SELECT count(*)::int AS pending FROM notification_emails WHERE sent_at IS NULL');
    const failing = await sql<{ id: string; to_address: string; attempts: number; last_error: string; next_attempt_at: Date }>(
      this.dataSource,
      'SELECT id, to_address, attempts, last_error, next_attempt_at FROM notification_emails WHERE sent_at IS NULL AND last_error IS NOT NULL ORDER BY id LIMIT 50',
    );
    return {
      enabled: Boolean(this.config.mail.smtpUrl),
      pending,
      failing: failing.map((r) => ({ id: Number(r.id), to: r.to_address, attempts: r.attempts, error: r.last_error, nextAttemptAt: r.next_attempt_at.toISOString() })),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      try {
        sent = await this.sendDue();
      } catch (error) {
        this.logger.warn(`Could not read the email outbox (${(error as Error).message}); trying again`);
      }
      if (this.running && sent < BATCH) await this.sleep(this.config.projections.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
