import { Inject, Injectable, Logger, OnModuleDestroy, type MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DataSource } from 'typeorm';
import { CableReader } from '@chancery/cables';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory, type Checkpoint, checkpointOf, EventStore, type RecordedEvent, START_OF_FEED } from '@chancery/event-store';
import { type FollowUp, followUpDefinition, FollowUpReader } from '@chancery/follow-ups';
import { type PlacedUser, principalOf, UsersQuery } from '@chancery/identity';
import { mayReadCable, mayReadFollowUp, type Principal } from '@chancery/identity/domain';
import { isAddressedTo, notificationOf, type Recipient, type RecordFacts } from '@chancery/notifications';
import { type LiveRecord, liveRecordOf } from './live-record.js';

/** What a notice says: where something changed, never what. */
export interface LiveNotice {
  eventType: string;
  streamType: string;
  /** The stream's aggregate id (a delivery's is `<campaign id>:<POST>`). */
  id: string;
  version: number;
  /** The record it belongs to, as the web app routes to it (a campaign and its deliveries: the campaign). */
  record: LiveRecord;
  /** It made a notification for this subscriber. */
  notification?: true;
  /** The subscriber's own doing (the screen that sent the command shows its answer already). */
  mine?: true;
}

interface Subscriber {
  principal: Principal;
  /** When they took each role in their current office or post: that office's or post's notices from before are not theirs. */
  placement: Pick<Recipient, 'rolesSince'>;
  tokenGeneration: number;
  events: Subject<MessageEvent>;
  /** The stream ends when the token it was opened with (or its ticket's) expires; null: no expiry known. */
  endsAt: Date | null;
  ending?: NodeJS.Timeout;
}

const placementOf = ({ rolesSince }: PlacedUser): Subscriber['placement'] => ({ rolesSince });

/** What a principal's reading depends on, as one value to compare. */
const standingOf = (p: Principal) => JSON.stringify([[...p.roles].sort(), p.clearance, p.office, p.postCode]);

/** The longest delay a Node timer takes (about 24.8 days); a later end is caught by the heartbeats' check. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const PAGE = 500;

/**
 * The live stream behind `GET /events/stream`. One poller per process reads the event feed (the
 * same commit-ordered, gap-safe feed the projection runner reads: below the watermark, so an event
 * that commits late is read late, never skipped) with one short query per tick, whatever the
 * number of subscribers, and holds no database connection between ticks. It wakes on in-process
 * appends and every PROJECTIONS_POLL_MS. For each record an event belongs to, it loads what the
 * read policy needs once per tick and asks the policy (`mayReadCable`, `mayReadFollowUp`) for each
 * subscriber as they stand now (their row is read again each tick and each heartbeat: a disabled
 * user or a revoked token ends the stream). A subscriber gets a notice only about records they may
 * read now, and the notice names the record, never its content.
 */
@Injectable()
export class LiveFeed implements OnModuleDestroy {
  private readonly logger = new Logger(LiveFeed.name);
  private readonly subscribers = new Set<Subscriber>();
  private checkpoint?: Checkpoint;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** Queries under way (a tick, a first subscriber's checkpoint, a heartbeat's standings): shutdown waits for them. */
  private readonly underWay = new Set<Promise<unknown>>();
  private again = false;
  private closed = false;
  private readonly followUps: AggregateRepository<FollowUp>;
  private readonly onAppended = () => void this.tick();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly cables: CableReader,
    private readonly followUpReader: FollowUpReader,
    private readonly users: UsersQuery,
    repositories: AggregateRepositoryFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.followUps = repositories.for(followUpDefinition);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** How many streams `userId` holds open in this process. */
  openBy(userId: string): number {
    let open = 0;
    for (const subscriber of this.subscribers) if (subscriber.principal.id === userId) open++;
    return open;
  }

  /**
   * A stream of notices for `principal`; it ends when they unsubscribe, lose their standing, the
   * token it was opened under expires (`endsAt`), or the process stops.
   */
  async subscribe(principal: Principal, tokenGeneration: number, endsAt: Date | null = null): Promise<Subject<MessageEvent>> {
    const events = new Subject<MessageEvent>();
    if (this.closed) {
      events.complete();
      return events;
    }
    if (!this.checkpoint) this.checkpoint = (await this.whileOpen(this.store.lastCheckpoint())) ?? START_OF_FEED;
    const [placed] = await this.whileOpen(this.users.standingOf([principal.id]));
    if (this.closed || !placed) {
      // Shutdown began meanwhile (no stream is started after it), or the user is gone.
      events.complete();
      return events;
    }
    const subscriber: Subscriber = { principal, placement: placementOf(placed), tokenGeneration, events, endsAt };
    if (endsAt) {
      const left = endsAt.getTime() - Date.now();
      if (left <= 0) {
        events.complete();
        return events;
      }
      if (left <= LONGEST_TIMER_MS) {
        subscriber.ending = setTimeout(() => subscriber.events.complete(), left);
        subscriber.ending.unref();
      }
    }
    this.subscribers.add(subscriber);
    this.start();
    const leave = () => this.leave(subscriber);
    events.subscribe({ complete: leave, error: leave });
    return events;
  }

  /** Removes a subscriber whose client went away. */
  unsubscribe(events: Subject<MessageEvent>): void {
    for (const subscriber of this.subscribers) if (subscriber.events === events) this.leave(subscriber);
  }

  async onModuleDestroy(): Promise<void> {
    // First thing at shutdown: an event stream never ends by itself, and the drain of requests in
    // flight (InFlightRequests) would otherwise wait for it.
    this.closed = true;
    for (const subscriber of [...this.subscribers]) subscriber.events.complete();
    this.stop();
    // The pool closes in the last shutdown phase: a query still under way then would fail, and
    // a tick would log it. They end first (with no subscriber left, a tick stops at its next step).
    await Promise.allSettled([...this.underWay]);
  }

  /**
   * Replays the feed from `checkpoint` to the streams open now, through the same fan-out. The
   * canary test uses it to send every event of its population to every user's stream and check
   * each notice against its oracle.
   */
  async rewind(checkpoint: Checkpoint): Promise<void> {
    await this.ticking;
    this.checkpoint = checkpoint;
    await this.tick();
  }

  /** Reads what the feed has past the checkpoint and tells each subscriber what they may know. */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = this.whileOpen(
      (async () => {
        try {
          do {
            this.again = false;
            await this.readFeed();
          } while (this.again && this.subscribers.size > 0);
        } catch (error) {
          this.logger.warn(`Live feed could not read the event feed (${(error as Error).message}); trying again at the next tick`);
        } finally {
          this.ticking = undefined;
        }
      })(),
    );
    return this.ticking;
  }

  private async readFeed(): Promise<void> {
    for (;;) {
      if (this.subscribers.size === 0 || !this.checkpoint) return;
      const from = this.checkpoint;
      const events = await this.store.readAll(from, PAGE);
      if (events.length === 0) return;
      await this.refreshStanding();
      await this.fanOut(events);
      // Past them only once told (a failure reads them again at the next tick), unless rewound meanwhile.
      if (this.checkpoint === from) this.checkpoint = checkpointOf(events[events.length - 1]);
      if (events.length < PAGE) return;
    }
  }

  private async fanOut(events: RecordedEvent[]): Promise<void> {
    const located = events.map((event) => ({ event, record: liveRecordOf(event.streamId, event.streamType) })).filter((e) => e.record);
    if (located.length === 0) return;
    const readers = new Map<string, ((principal: Principal) => boolean) | null>();
    for (const { record } of located) {
      if (this.subscribers.size === 0) return; // all gone (shutdown): nobody to load them for
      const key = `${record!.policy.type}:${record!.policy.id}`;
      if (!readers.has(key)) readers.set(key, await this.readerOf(record!.policy));
    }
    const facts = await this.factsOf(located.map((e) => e.record!.policy.id));
    for (const { event, record } of located) {
      const mayRead = record!.own !== undefined ? (p: Principal) => p.id === record!.own : readers.get(`${record!.policy.type}:${record!.policy.id}`);
      if (!mayRead) continue;
      const notice = record!.own === undefined ? notificationOf(event, facts.get(record!.policy.id)) : null;
      for (const subscriber of this.subscribers) {
        if (!mayRead(subscriber.principal)) continue;
        const data: LiveNotice = {
          eventType: event.type,
          streamType: event.streamType,
          id: event.streamId.slice(event.streamType.length + 1),
          version: event.streamVersion,
          record: record!.route,
          ...(notice && isAddressedTo({ ...subscriber.principal, ...subscriber.placement }, notice, event.recordedAt) ? { notification: true as const } : {}),
          ...(event.metadata.actorId === subscriber.principal.id ? { mine: true as const } : {}),
        };
        subscriber.events.next({ type: 'change', data });
      }
    }
  }

  /** The read policy for one record as it stands now; null when there is no such record. */
  private async readerOf(policy: { type: 'cable' | 'followup' | 'user'; id: string }): Promise<((principal: Principal) => boolean) | null> {
    if (policy.type === 'cable') {
      const access = await this.cables.access(policy.id);
      return access ? (principal) => mayReadCable(principal, access).allowed : null;
    }
    if (policy.type === 'followup') {
      const followUp = await this.followUps.load(policy.id);
      if (!followUp) return null;
      const access = await this.followUpReader.access(followUp);
      return (principal) => mayReadFollowUp(principal, access).allowed;
    }
    return null;
  }

  private async factsOf(ids: string[]): Promise<Map<string, RecordFacts>> {
    const rows = await sql<{ record_id: string; created_by: string; owner_office: string | null; owner_post: string | null }>(
      this.dataSource,
      'SELECT record_id, created_by, owner_office, owner_post FROM notification_facts WHERE record_id = ANY($1::uuid[])',
      [[...new Set(ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))]],
    );
    return new Map(rows.map((r) => [r.record_id, { createdBy: r.created_by, owner: { office: r.owner_office ?? undefined, post: r.owner_post ?? undefined } }]));
  }

  /**
   * Subscribers as they stand now; a disabled user, a revoked token or one expired ends their stream.
   * So does a change of what the user may read (clearance, roles, office, post): notices are sent
   * only about records the user may read now, so one who lost a record would hear nothing of it,
   * and their open screens would keep showing it; the stream opened again is a gap, and the web app
   * reads its screen afresh after one.
   */
  private async refreshStanding(): Promise<void> {
    if (this.subscribers.size === 0) return;
    const ids = [...new Set([...this.subscribers].map((s) => s.principal.id))];
    const byId = new Map((await this.users.standingOf(ids)).map((user) => [user.id, user]));
    for (const subscriber of [...this.subscribers]) {
      const user = byId.get(subscriber.principal.id);
      if (!user || user.disabled || user.tokenGeneration !== subscriber.tokenGeneration || (subscriber.endsAt !== null && subscriber.endsAt.getTime() <= Date.now())) {
        subscriber.events.complete();
        continue;
      }
      const now = principalOf(user);
      if (standingOf(now) !== standingOf(subscriber.principal)) {
        // Said before the stream ends, so that the client reads the user again (their roles, office,
        // post, clearance) and tells them why the screen is read afresh, not that something changed.
        subscriber.events.next({ type: 'standing', data: {} });
        subscriber.events.complete();
        continue;
      }
      subscriber.principal = now;
      subscriber.placement = placementOf(user);
    }
  }

  private start(): void {
    if (this.timer) return;
    this.store.signals.on('appended', this.onAppended);
    this.timer = setInterval(() => void this.tick(), this.config.projections.pollMs);
    this.heartbeat = setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.events.next({ comment: 'heartbeat' } as MessageEvent);
      void this.whileOpen(this.refreshStanding()).catch(() => undefined);
    }, this.config.live.heartbeatMs);
    this.timer.unref();
    this.heartbeat.unref();
  }

  private stop(): void {
    this.store.signals.off('appended', this.onAppended);
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    this.checkpoint = undefined;
  }

  /** Keeps `work` among the queries under way until it settles. */
  private whileOpen<T>(work: Promise<T>): Promise<T> {
    this.underWay.add(work);
    const settled = () => void this.underWay.delete(work);
    work.then(settled, settled);
    return work;
  }

  private leave(subscriber: Subscriber): void {
    clearTimeout(subscriber.ending);
    if (!this.subscribers.delete(subscriber)) return;
    if (!subscriber.events.closed) subscriber.events.complete();
    if (this.subscribers.size === 0) this.stop();
  }
}
