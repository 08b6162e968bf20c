import { Injectable, OnModuleInit } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { CableReader, officersOfEvent } from '@chancery/cables';
import { combinedCaptions } from '@chancery/cables/domain';
import { ChanceryError, Clock, CSV_FORMAT, DepartmentCalendar, ErrorCode, neutralizeCsvRows } from '@chancery/common';
import type { Db } from '@chancery/database';
import { type Delivery, deliveryDefinition, deliveryId } from '@chancery/demarches';
import { AggregateRepository, AggregateRepositoryFactory, EventStore, type RecordedEvent } from '@chancery/event-store';
import { type NamedUser, PolicyService, UsersQuery } from '@chancery/identity';
import { allowedFollowUpActions, type Classification, type FollowUpAccess, followUpMarking, highestClassification, mayReadFollowUp, type Principal } from '@chancery/identity/domain';
import { FollowUp, followUpDefinition, isFollowUpOverdue, type Links, type Owner } from './domain/follow-up.aggregate.js';
import { type FollowUpFilter, FollowUpsQuery } from './follow-ups.query.js';

/**
 * Reads of follow-ups: each is read under its own classification and under the cable and campaign
 * it is linked to, as they stand now (the need-to-know policy decides; a denial says nothing), and
 * a read of classified content is audited.
 */
@Injectable()
export class FollowUpReader implements OnModuleInit {
  private readonly followUps: AggregateRepository<FollowUp>;
  private readonly deliveries: AggregateRepository<Delivery>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly query: FollowUpsQuery,
    private readonly cables: CableReader,
    private readonly policy: PolicyService,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly users: UsersQuery,
  ) {
    this.followUps = repositories.for(followUpDefinition);
    this.deliveries = repositories.for(deliveryDefinition);
  }

  onModuleInit(): void {
    this.policy.registerRecords('followup', async (principal, id) => {
      const followUp = await this.followUps.load(id);
      return followUp && mayReadFollowUp(principal, await this.access(followUp));
    });
  }

  /**
   * What the policy decides a follow-up's reading on: its classification, its links now, whether
   * its text was written under a draft, its owner now and its creator. `db`: inside a command, its transaction (the embedded pool
   * has one connection: never ask for a second).
   */
  async access(followUp: { classification: Classification; links: Links; writtenUnderDraft: boolean; owner: Owner; createdBy: { id: string } }, db?: Db): Promise<FollowUpAccess> {
    const { cableId, demarcheId } = followUp.links;
    const cable = cableId ? await this.cables.access(cableId, db) : null;
    const campaign = demarcheId ? await this.cables.access(demarcheId, db) : null;
    return {
      classification: followUp.classification,
      cable: cable ?? null,
      campaign: campaign ?? null,
      missingLink: cable === undefined || campaign === undefined,
      writtenUnderDraft: followUp.writtenUnderDraft,
      owner: followUp.owner,
      createdBy: followUp.createdBy.id,
    };
  }

  /**
   * The highest marking the follow-up or what it links to has stood at since it was created: the
   * highest its text can have been written under. `db`: inside a command, its transaction.
   */
  async highestSinceCreated(followUp: FollowUp, db?: Db): Promise<Classification> {
    const [created] = await this.store.readStream(this.followUps.streamId(followUp.id), { toVersion: 1 }, db);
    let highest = followUp.classification;
    for (const id of [followUp.links.cableId, followUp.links.demarcheId]) {
      const linked = id && created ? await this.cables.highestClassificationSince(id, created.recordedAt, db) : undefined;
      if (linked) highest = highestClassification(highest, linked);
    }
    return highest;
  }

  async get(principal: Principal, id: string, version: number | undefined, requestId: string) {
    const current = await this.followUps.load(id);
    if (!current) throw new ChanceryError(ErrorCode.NotFound, `No follow-up ${id}`);
    const access = await this.access(current);
    const streamId = this.followUps.streamId(id);
    // Its links never change and its own marking only rises, so the rule now covers every version.
    await this.policy.requireRecord(principal, mayReadFollowUp(principal, access), { requestId, action: `read follow-up ${id}`, streamId });
    const classification = followUpMarking(access);
    // A version not reached yet is a 404, not a read: checked before the read is audited.
    if (version !== undefined && version > current.version) throw new ChanceryError(ErrorCode.NotFound, `Follow-up ${id} has no version ${version}; it is at ${current.version}`);
    await this.policy.auditRead(principal, { requestId, streamId, streamType: 'followup', view: version === undefined ? 'follow-up' : 'follow-up version', classification, version });
    // Its current version (the change that wrote the version asked for is its last) is read as it is.
    const then = version === undefined ? current : await this.followUps.load(id, { version });
    if (!then || then.version < version!) throw new ChanceryError(ErrorCode.NotFound, `Follow-up ${id} has no version ${version}; it is at ${current.version}`);
    if (then.version === current.version) return this.view(principal, current, access);
    return this.asItStood(then, { classification, captions: linkedCaptions(access) });
  }

  /**
   * The follow-up as `GET /follow-ups/:id` shows it to a caller who may read it (under `access`):
   * its row, classified and captioned with what it is linked to, its history and the caller's
   * allowedActions. Every follow-up command answers it too (FollowUpAnswers), read in the command's
   * transaction, `db` (the embedded pool has one connection: never ask for a second).
   */
  async view(principal: Principal, followUp: FollowUp, access: FollowUpAccess, db?: Db) {
    const row = await this.query.get(followUp.id, db);
    if (!row) throw new ChanceryError(ErrorCode.NotFound, `No follow-up ${followUp.id}`);
    const events = await this.store.readStream(this.followUps.streamId(followUp.id), {}, db);
    const history = events.map(historyItem);
    const allowedActions = allowedFollowUpActions(principal, { ...access, createdBy: followUp.createdBy.id, owner: followUp.owner, status: followUp.status, escalatedTo: followUp.escalatedTo });
    return { ...row, history, allowedActions, people: await this.people(history, db) };
  }

  /**
   * The officers a follow-up's answer names, by id, as a delivery's and a cable's `people` name
   * them (`{username, displayName}` as the users are now): its creator, each comment's author and
   * each event's actor and `by`, all of which its `history` (every event up to the version shown)
   * carries. `db`: inside a command, its transaction.
   */
  private async people(history: ReturnType<typeof historyItem>[], db?: Db): Promise<Record<string, NamedUser>> {
    return Object.fromEntries(await this.users.names(history.flatMap((e) => officersOfEvent(e.data as object, e.actor)), db));
  }

  /** The most follow-ups one export holds (a process's memory bounds it); the tests lower it. */
  static exportLimit = 100_000;

  /**
   * Every follow-up the caller may read that matches the filters, as RFC 4180 CSV, formulas
   * neutralised; more than `exportLimit` of them is refused (422), never cut short unsaid.
   */
  async exportCsv(principal: Principal, filter: FollowUpFilter, requestId: string): Promise<string> {
    const limit = FollowUpReader.exportLimit;
    const { items, total } = await this.query.list(principal, filter, limit, 0, requestId, 'follow-ups export');
    if (total > items.length) {
      throw new ChanceryError(ErrorCode.RuleViolated, `An export holds at most ${limit} follow-ups, and ${total} match: narrow it with the filters (status, overdue, owner, bureau, demarcheId)`);
    }
    const rows = items.map((f) => ({
      id: f.id,
      title: f.title,
      classification: f.classification,
      // A printed export of a NODIS follow-up carries NODIS, as its screen does.
      captions: f.captions.join(' '),
      owner: 'office' in f.owner ? f.owner.office : f.owner.post,
      bureau: f.ownerBureau,
      dueOn: f.dueOn,
      status: f.status,
      overdue: f.overdue ? 'yes' : 'no',
      escalatedTo: f.escalatedTo ?? '',
      demarcheId: f.demarcheId ?? '',
      cableId: f.cableId ?? '',
      post: f.post ?? '',
      outcome: f.outcome ?? f.cancelReason ?? '',
    }));
    return stringify(neutralizeCsvRows(rows), {
      ...CSV_FORMAT,
      columns: ['id', 'title', 'classification', 'captions', 'owner', 'bureau', 'dueOn', 'status', 'overdue', 'escalatedTo', 'demarcheId', 'cableId', 'post', 'outcome'],
    });
  }

  /**
   * A version the follow-up has moved on from, in the shape of its current answer, each field as a
   * read of it then would have answered: folded from its events up to that version (the end of the
   * change that wrote it, read whole), not from what it is now. `overdue` and `responseCorrectedBy`
   * are as they stood at the last moment it was that version (just before its next change was
   * recorded): overdue on that day, the response it grew out of corrected by then. Its `history`
   * is its events up to that version; no `allowedActions` (nothing is done to a past version).
   * Marked as it is read now (its links' classification and captions, as the current answer is);
   * `createdBy` the id, as the current answer names it.
   */
  private async asItStood(followUp: FollowUp, { classification, captions }: { classification: Classification; captions: string[] }) {
    const { id, version, title, description, owner, ownerBureau, dueOn, status, outcome, cancelReason, comments, overdueSince, escalatedTo, links, createdBy } = followUp;
    const events = await this.store.readStream(this.followUps.streamId(id), { toVersion: version + 1 });
    const history = events.slice(0, version).map(historyItem);
    const lastMoment = new Date(events[version].recordedAt.getTime() - 1); // the next change's, a millisecond before
    const response = links.response ?? null;
    const delivery = links.demarcheId && links.post && response !== null ? await this.deliveries.load(deliveryId(links.demarcheId, links.post), { asOf: lastMoment }) : undefined;
    return {
      id,
      classification,
      captions,
      title,
      description,
      owner,
      ownerBureau,
      dueOn,
      status,
      overdue: isFollowUpOverdue(status, dueOn, this.calendar.dayOf(lastMoment)),
      overdueSince,
      escalatedTo,
      demarcheId: links.demarcheId,
      post: links.post,
      cableId: links.cableId,
      response,
      responseCorrectedBy: delivery?.state.responses.find((r) => r.number === response)?.correctedBy ?? null,
      createdBy: createdBy.id,
      outcome,
      cancelReason,
      comments,
      version,
      history,
      allowedActions: [],
      people: await this.people(history),
    };
  }
}

/** An event as a follow-up's `history` lists it. */
function historyItem(e: RecordedEvent) {
  return { version: e.streamVersion, type: e.type, at: e.recordedAt.toISOString(), actor: e.metadata.actorId ?? null, data: e.data };
}

/** The captions of what a follow-up is linked to, as its current answer gives them (`followUpMarkings`). */
function linkedCaptions(access: FollowUpAccess): string[] {
  return combinedCaptions(...[access.cable, access.campaign].map((linked) => linked?.captions ?? []));
}

/** A follow-up as `GET /follow-ups/:id` shows it to one caller. */
export type FollowUpView = Awaited<ReturnType<FollowUpReader['view']>>;
