import { Injectable, OnModuleInit } from '@nestjs/common';
import { ChanceryError, Clock, ErrorCode, type HistoryPage, pageOf } from '@chancery/common';
import type { Db } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory, EventStore, type LoadOptions } from '@chancery/event-store';
import { type NamedUser, PolicyService, UsersQuery } from '@chancery/identity';
import { allowedCableActions, type CableAccess, type CableActionName, type Classification, type Decision, highestClassification, mayReadCable, type Principal, readDecision } from '@chancery/identity/domain';
import { CablesQuery } from './cables.query.js';
import { CableWorld } from './cable-world.js';
import { highestShown, officersIn, officersOfEvent, toCableView } from './cable-view.js';
import { Cable, cableDefinition, type CableEvent } from './domain/cable.aggregate.js';
import { renderTelegram, signatureOf } from './domain/telegram.js';

/**
 * Every read of a single cable goes through here: the need-to-know policy decides on the cable as
 * it is now and, for a past version, as it was then (a denial is audited and says nothing), and a
 * read of anything CONFIDENTIAL or above, now or then, is written to the audit log.
 */
@Injectable()
export class CableReader implements OnModuleInit {
  private readonly cables: AggregateRepository<Cable>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly store: EventStore,
    private readonly policy: PolicyService,
    private readonly world: CableWorld,
    private readonly query: CablesQuery,
    private readonly clock: Clock,
    private readonly users: UsersQuery,
  ) {
    this.cables = repositories.for(cableDefinition);
  }

  /** The officers `ids` name, by id, as a delivery's `people` names them: `{username, displayName}` now. */
  private async people(ids: string[]): Promise<Record<string, NamedUser>> {
    return Object.fromEntries(await this.users.names(ids));
  }

  /**
   * The cable as a request's guard read it, by the request's principal (one object a request, gone
   * with it): the handler that checks the same cable again (a campaign's command or page) takes that
   * reading, made moments before in the same request, instead of loading the cable a second time.
   */
  private readonly guarded = new WeakMap<Principal, Map<string, CableAccess>>();

  onModuleInit(): void {
    // Routes that name a cable (and a campaign, whose id is its cable's) are checked by this before
    // anything else about the request is looked at.
    this.policy.registerRecords('cable', async (principal, id) => {
      const access = await this.access(id);
      if (!access) return undefined;
      const seen = this.guarded.get(principal) ?? this.guarded.set(principal, new Map()).get(principal)!;
      seen.set(id, access);
      return mayReadCable(principal, access);
    });
  }

  /** The cable as the policy sees it now, for what is read under it (its campaign, follow-ups). */
  /** `db`: inside a command, its transaction (the embedded pool has one connection: never ask for a second). */
  async access(id: string, db?: Db): Promise<CableAccess | undefined> {
    const cable = await this.cables.load(id, {}, db);
    return cable && this.accessOf(cable, db);
  }

  /** Whether the cable cites `mrn` among its references (a reply to a tasking does, by REF). */
  async cites(id: string, mrn: string, db?: Db): Promise<boolean> {
    const cable = await this.cables.load(id, {}, db);
    return cable?.draft.references.some((reference) => reference.mrn === mrn) ?? false;
  }

  /** The cable's marking as it stood at `asOf` (undefined before it existed). */
  async classificationAsOf(id: string, asOf: Date): Promise<Classification | undefined> {
    return (await this.cables.load(id, { asOf }))?.draft.classification;
  }

  /**
   * The highest marking the cable has stood at from `since` on (as it stood then, and after each
   * event since), undefined if there is no such cable. `db`: inside a command, its transaction.
   */
  async highestClassificationSince(id: string, since: Date, db?: Db): Promise<Classification | undefined> {
    const events = await this.store.readStream(this.cables.streamId(id), {}, db);
    if (events.length === 0) return undefined;
    const folded = cableDefinition.blank(id);
    let highest: Classification | undefined;
    for (const event of events) {
      // The first event since: the cable as it stood just before it stood at `since` too.
      if (highest === undefined && event.recordedAt >= since && event.streamVersion > 1) highest = folded.draft.classification;
      folded.replay([{ type: event.type, data: event.data, schemaVersion: event.schemaVersion } as CableEvent], event.streamVersion);
      if (event.recordedAt >= since) highest = highestClassification(highest ?? folded.draft.classification, folded.draft.classification);
    }
    return highest ?? folded.draft.classification; // no event since: it has stood as it stands
  }

  /**
   * `access`, within a request: as this request's guard read it if it did (see `guarded`), else now.
   * Only for a request's own handler: a principal held longer (a live feed's) must call `access`.
   */
  async accessInRequest(principal: Principal, id: string): Promise<CableAccess | undefined> {
    return this.guarded.get(principal)?.get(id) ?? this.access(id);
  }

  /** The cable at one version, as the policy sees it, with the desks that tasked it now. */
  async accessOf(cable: Cable, db?: Db): Promise<CableAccess> {
    return cable.accessWith(await this.query.taskingDesks(cable, db));
  }

  async get(principal: Principal, id: string, at: LoadOptions, requestId: string) {
    const cable = await this.authorized(principal, id, at, requestId, 'cable');
    const current = at.version !== undefined || at.asOf !== undefined ? await this.cables.load(id) : cable;
    // The cables that cite it by REF (replies, reporting cables), those the caller may read.
    const replies = cable.release ? await this.query.replies(principal, cable.release.mrn, at.asOf) : [];
    if (replies.length > 0) {
      await this.policy.auditListRead(principal, { requestId, view: 'replies', records: replies.map((r) => ({ streamId: `cable-${r.id}`, classification: r.classification })) });
    }
    const now = await this.accessOf(current ?? cable);
    const { allowedActions, blockedActions } = current && current.version === cable.version ? await this.actionsOn(principal, current, now) : { allowedActions: [], blockedActions: [] };
    const view = toCableView(cable, (then) => readDecision(principal, now, then).allowed);
    return {
      ...view,
      // Who the officers it names are, for the screens: the name they go by, not their username.
      people: await this.people(officersIn(view)),
      replies,
      allowedActions,
      blockedActions,
    };
  }

  /**
   * What the caller may do to the cable now (`allowedCableActions`: who may, and the clearances
   * asked), less the next step to release where the rules that step holds against the world would
   * refuse it (the collective tasking rule's clearances not given, an addressee suspended since, a
   * report-by date passed, an office asked that has not cleared): that step is named in
   * `blockedActions` with the refusal's reasons, so that the caller sees what to do rather than a
   * button the command refuses.
   */
  private async actionsOn(principal: Principal, cable: Cable, access: CableAccess): Promise<{ allowedActions: CableActionName[]; blockedActions: { action: CableActionName; reasons: string[] }[] }> {
    const allowed = allowedCableActions(principal, access);
    const step = cable.nextStep;
    // The drafter of a draft still in clearance is not offered submit (it waits for the offices
    // asked): it is named blocked too, with the clearances it waits for.
    const waitsForClearances = step === 'submit' && !allowed.includes('submit') && allowed.includes('requestClearance');
    if (!step || (!allowed.includes(step) && !waitsForClearances)) return { allowedActions: allowed, blockedActions: [] };
    const reasons = cable.stepRefusals(await this.world.stepConditions(cable), this.clock.now().toISOString());
    if (reasons.length === 0) return { allowedActions: allowed, blockedActions: [] };
    return { allowedActions: allowed.filter((action) => action !== step), blockedActions: [{ action: step, reasons }] };
  }

  /**
   * The cable's events. Each carries the cable as it was after it, so an event is shown only if
   * the caller may read that version (`readDecision`); the others keep their place, type and time.
   */
  /** The cable's events, oldest first; `page` takes `limit` of them from `offset` (all by default). */
  async history(principal: Principal, id: string, requestId: string, page: HistoryPage = {}) {
    const current = await this.authorized(principal, id, {}, requestId, 'history');
    const now = await this.accessOf(current);
    const events = await this.store.readStream(this.cables.streamId(id));
    // Every event is folded (who may read each depends on the cable as it stood then); the page is
    // what is answered, and what the audit entry counts as read.
    const folded = cableDefinition.blank(id);
    const all = events.map((event) => {
      folded.replay([{ type: event.type, data: event.data, schemaVersion: event.schemaVersion } as CableEvent], event.streamVersion);
      // A withdrawal carries the comments the office wrote earlier, maybe under another standing.
      const carried = event.type === 'ClearanceRequestWithdrawn' ? folded.withdrawals.at(-1)?.writtenUnder : undefined;
      const readable = readDecision(principal, now, folded.standing).allowed && (!carried || readDecision(principal, now, carried).allowed);
      const item = {
        version: event.streamVersion,
        type: event.type,
        at: event.recordedAt.toISOString(),
        actor: readable ? (event.metadata.actorId ?? null) : null,
        data: readable ? event.data : null,
        ...(readable ? {} : { withheld: true }),
      };
      // A withdrawal shown shows comments written where it then stood: the history is audited at the higher.
      const shownAt = carried ? highestClassification(folded.draft.classification, carried.classification) : folded.draft.classification;
      return { item, classification: readable ? shownAt : null };
    });
    const shown = pageOf(all, page);
    const highest = shown.reduce((level, { classification }) => (classification ? highestClassification(level, classification) : level), current.draft.classification);
    await this.policy.auditRead(principal, { requestId, streamId: this.cables.streamId(id), streamType: 'cable', view: 'history', classification: highest, version: current.version });
    const items = shown.map(({ item }) => item);
    // The officers the events shown name (none of a withheld one), as the cable's answer names its own.
    const people = await this.people(items.flatMap((item) => (item.data ? officersOfEvent(item.data, item.actor) : [])));
    return { items, total: all.length, people };
  }

  /**
   * A released cable's telegram is the text its release recorded, word for word. One released
   * before the text was kept is rendered, naming posts and officers as they stood at its release; a
   * past version (`?version=` of one the cable has moved on from, `?asOf=`), as they stood then (at
   * `asOf`, or when that version was recorded); the draft as it is now, as they are.
   */
  async telegram(principal: Principal, id: string, at: LoadOptions, requestId: string): Promise<string> {
    const cable = await this.authorized(principal, id, at, requestId, 'telegram');
    if (cable.release?.telegram !== undefined) return cable.release.telegram;
    const then = cable.release ? await this.releaseRecordedAt(cable) : (at.asOf ?? (at.version !== undefined ? await this.pastVersionRecordedAt(cable) : undefined));
    return renderTelegram(cable, await this.world.telegramDirectory(cable, then), signatureOf(cable));
  }

  /**
   * When the event that made the cable's version was recorded, by the store's clock, if the cable
   * has moved on from it since; undefined for its current version (read as it is now).
   */
  private async pastVersionRecordedAt(cable: Cable): Promise<Date | undefined> {
    const [event, next] = await this.store.readStream(this.cables.streamId(cable.id), { fromVersion: cable.version, toVersion: cable.version + 1 });
    return next ? event?.recordedAt : undefined;
  }

  /**
   * Whether a cable answer stored for an Idempotency-Key replay may be given again to `principal`
   * as they stand now: the cable as it stood at the answer's version, and every comment, reason or
   * edit the answer shows, must be theirs to read now (a caller cleared lower since, or a cable
   * marked down since, whose old answer carries text written under the old marking).
   */
  async mayReplay(principal: Principal, answer: { id: string; version: number } & Partial<Record<'clearances' | 'returns' | 'withdrawals' | 'edits', { withheld?: boolean }[]>>): Promise<Decision> {
    const current = await this.cables.load(answer.id);
    const then = current && (await this.cables.load(answer.id, { version: answer.version }));
    if (!current || !then) return { allowed: false, reason: 'the cable answered is not there' };
    const now = await this.accessOf(current);
    const version = readDecision(principal, now, then.standing);
    if (!version.allowed) return { allowed: false, reason: `the answer replayed shows what ${version.reason}` };
    // The view of that version as the caller would be given it now: nothing it withholds may the old answer show.
    const fresh = toCableView(then, (standing) => readDecision(principal, now, standing).allowed);
    const lists = ['clearances', 'returns', 'withdrawals', 'edits'] as const;
    const shown = lists.find((list) => fresh[list].some((entry, i) => 'withheld' in entry && entry.withheld && answer[list]?.[i] && !answer[list][i].withheld));
    return shown ? { allowed: false, reason: `the answer replayed shows ${shown} written where ${principal.username} may no longer read` } : { allowed: true };
  }

  /**
   * When a released cable's release was recorded, by the store's clock (the one as-of reads go by).
   * Nothing follows a release, so it is the cable's last event.
   */
  private async releaseRecordedAt(cable: Cable): Promise<Date | undefined> {
    const streamId = this.cables.streamId(cable.id);
    const [last] = await this.store.readStream(streamId, { fromVersion: cable.version, toVersion: cable.version });
    if (last?.type === 'CableReleased') return last.recordedAt;
    return (await this.store.readStream(streamId)).find((e) => e.type === 'CableReleased')?.recordedAt;
  }

  private async authorized(principal: Principal, id: string, at: LoadOptions, requestId: string, view: string): Promise<Cable> {
    const current = await this.cables.load(id);
    if (!current) throw new ChanceryError(ErrorCode.NotFound, `No cable ${id}`);
    const past = at.version !== undefined || at.asOf !== undefined;
    const cable = past ? await this.cables.load(id, at) : current;
    const streamId = this.cables.streamId(id);
    const context = { requestId, action: `read cable ${id} (${view})`, streamId };
    // Read as it is now and, for a past version, as it was then; a point before the first version, or
    // a version not reached yet (loaded as the cable now), is no news to someone who may read it now.
    const now = await this.accessOf(current);
    await this.policy.requireRecord(principal, readDecision(principal, now, cable?.standing), context);
    if (!cable) throw new ChanceryError(ErrorCode.NotFound, `Cable ${id} did not exist yet at that point`);
    if (at.version !== undefined && cable.version < at.version) {
      throw new ChanceryError(ErrorCode.NotFound, `Cable ${id} has no version ${at.version}; it is at version ${cable.version}`);
    }
    if (view !== 'history') {
      await this.policy.auditRead(principal, {
        requestId,
        streamId,
        streamType: 'cable',
        view,
        // The cable's page also shows comments and reasons written while it stood higher.
        classification: highestClassification(
          current.draft.classification,
          view === 'cable' ? highestShown(cable, (then) => readDecision(principal, now, then).allowed) : cable.draft.classification,
        ),
        version: cable.version,
        details: { ...(at.version !== undefined ? { version: at.version } : {}), ...(at.asOf ? { asOf: at.asOf.toISOString() } : {}) },
      });
    }
    return cable;
  }
}
