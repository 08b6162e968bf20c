import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { assertNever, ChanceryError, Clock, DepartmentCalendar, ErrorCode, utcDate } from '@chancery/common';
import { sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { CableReader } from '@chancery/cables';
import { PolicyService } from '@chancery/identity';
import { mayReadCable, type Principal } from '@chancery/identity/domain';
import { type CampaignRow, citedCables, DemarchesQuery, type DeliveryView, deliveryView, officersOf, type Person } from '../demarches.query.js';
import { Delivery, deliveryDefinition, type DocumentFacts, deliveryId } from '../domain/delivery.aggregate.js';
import { MAX_DOCUMENT_BYTES, sniffDocument } from '../documents/document-type.js';
import { type DeliveryRecord, RecordDeliveryCommand } from './record-delivery.command.js';

const COMMAND_NAMES = {
  delivered: 'RecordDelivery',
  contact: 'RecordContact',
  response: 'LogResponse',
  reportingCable: 'AttachReportingCable',
  document: 'AttachDocument',
  notDelivered: 'RecordNotDelivered',
} as const;

interface ReportingCableRow {
  status: string;
  origin: string;
  kind: string;
  reference_mrns: string[];
}

/** What an upload answers: the document as filed, and the delivery's version. */
export interface DocumentAnswer {
  id: string;
  name: string;
  kind: string;
  size: number;
  sha256: string;
  version: number;
}

@CommandHandler(RecordDeliveryCommand)
export class RecordDeliveryHandler implements ICommandHandler<RecordDeliveryCommand, DeliveryView | DocumentAnswer> {
  private readonly deliveries: AggregateRepository<Delivery>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly query: DemarchesQuery,
    private readonly policy: PolicyService,
    private readonly cables: CableReader,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
  ) {
    this.deliveries = repositories.for(deliveryDefinition);
  }

  async execute({ context, actor, campaignId, post, record }: RecordDeliveryCommand): Promise<DeliveryView | DocumentAnswer> {
    const campaign = await this.query.campaign(campaignId);
    if (!campaign) throw new ChanceryError(ErrorCode.NotFound, `No campaign ${campaignId}`);
    const denial = { requestId: context.requestId, action: `${COMMAND_NAMES[record.kind]} for ${post}`, streamId: `campaign-${campaignId}` };
    // Acting requires reading: the campaign is read under its cable as it stands now.
    const access = await this.cables.accessInRequest(actor, campaign.cableId);
    await this.policy.requireRecord(actor, access ? mayReadCable(actor, access) : { allowed: false, reason: 'its cable is missing' }, denial);
    if (!campaign.posts.includes(post)) throw new ChanceryError(ErrorCode.NotFound, `${post} is not tasked by this campaign`);
    await this.policy.requirePost(actor, post, denial);

    // A document's type is decided by its bytes, once, before the transaction.
    const document = record.kind === 'document' ? await describeDocument(record.name, record.documentKind, record.content) : undefined;
    const id = deliveryId(campaignId, post);
    /** The Department's day of the attempt, by which the answer says whether the delivery is overdue (as GET does). */
    let today = '';
    let readable = new Map<string, string>();
    let people = new Map<string, Person>();
    const decide = async (delivery: Delivery, tx: EntityManager) => {
      // The time of this attempt: one retried after a conflict is recorded when it is tried again,
      // after the record it lost to (numbered after it, never earlier).
      const now = this.clock.now();
      today = this.calendar.dayOf(now);
      // A post's own dates may be as late as the furthest-east post's today (latestDay).
      await this.apply(tx, actor, campaign, post, delivery, record, document, latestDay(now), now.toISOString());
      if (record.kind === 'document') return; // its answer is the document filed
      readable = await this.query.readableMrns(actor, citedCables(delivery.state.responses), tx);
      // Who logged what: a first record names only its sender, whom the request knows already.
      const named = officersOf(delivery.state);
      const sender = (actor as Principal & Partial<Person>).displayName;
      people = sender !== undefined && named.every((id) => id === actor.id) ? new Map([[actor.id, { username: actor.username, displayName: sender }]]) : await this.query.people(named, tx);
    };
    // The answer, as the route sends it (and an Idempotency-Key replays it): an upload answers the document filed.
    const view = (delivery: Delivery): DeliveryView | DocumentAnswer => {
      if (record.kind !== 'document') return deliveryView(campaign, post, delivery.state, delivery.version, today, readable, people);
      const filed = delivery.state.documents[delivery.state.documents.length - 1];
      return { id: filed.documentId, name: filed.name, kind: filed.kind, size: filed.size, sha256: filed.sha256, version: delivery.version };
    };
    // A post's delivery stream starts with its first record; each post has its own, so 270 posts
    // writing at once never conflict.
    return this.deliveries.updateOrStart(context, COMMAND_NAMES[record.kind], id, decide, view);
  }

  private async apply(
    tx: EntityManager, actor: Principal, campaign: CampaignRow, post: string, delivery: Delivery, record: DeliveryRecord, document: DocumentFacts | undefined, latest: string, at: string,
  ): Promise<void> {
    const by = actor.id;
    switch (record.kind) {
      case 'delivered': {
        const { kind: _kind, ...details } = record;
        return delivery.deliver(details, by, { today: latest, taskedOn: taskedOn(campaign) }, at);
      }
      case 'contact': {
        const { kind: _kind, ...contact } = record;
        return delivery.recordContact(contact, by, { today: latest, taskedOn: taskedOn(campaign) }, at);
      }
      case 'response': {
        const { kind: _kind, ...response } = record;
        if (response.reportingCableId) await this.requireReportingCable(tx, actor, campaign, post, response.reportingCableId);
        return delivery.logResponse(response, by, latest, at);
      }
      case 'reportingCable':
        await this.requireReportingCable(tx, actor, campaign, post, record.reportingCableId);
        return delivery.attachReportingCable(record.response, record.reportingCableId, by, at);
      case 'document': {
        const d = document!;
        delivery.attachDocument(d, by, at);
        // The bytes are kept beside the events, in the same transaction: the event carries their SHA-256.
        await tx.query(
          `INSERT INTO demarche_documents (id, campaign_id, post, name, kind, media_type, size, sha256, content, uploaded_by, uploaded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [d.documentId, campaign.id, post, d.name, d.kind, d.mediaType, d.size, d.sha256, record.content, by, at],
        );
        return;
      }
      case 'notDelivered':
        return delivery.notDelivered(record.reason, by, at);
      default:
        return assertNever(record);
    }
  }

  /**
   * A reporting cable is a released cable from that post that cites the tasking by its MRN among
   * its references (422 otherwise). A cable that is not there, and one the officer may not read, are
   * refused alike, before anything else about them is said: linking requires reading.
   */
  private async requireReportingCable(tx: EntityManager, actor: Principal, campaign: CampaignRow, post: string, cableId: string): Promise<void> {
    const [cable] = await sql<ReportingCableRow>(tx, 'SELECT status, origin, kind, reference_mrns FROM cables WHERE id = $1::uuid', [cableId]);
    const refuse = (why: string) => new ChanceryError(ErrorCode.RuleViolated, `reportingCableId: ${why}`, { errors: [{ field: 'reportingCableId', message: why }] });
    const access = cable ? await this.cables.access(cableId, tx) : undefined;
    if (!access || !mayReadCable(actor, access).allowed || cable.origin !== post) throw refuse(`not a cable from ${post} that you may read`);
    if (cable.status !== 'RELEASED') throw refuse('the cable is not released');
    if (!cable.reference_mrns.includes(campaign.mrn)) throw refuse(`the cable does not cite the tasking ${campaign.mrn} among its references`);
  }
}

/**
 * The first day a post may date a meeting on: the day its campaign opened as the post reckons it.
 * Posts date meetings in their own day, and the furthest west (UTC−12) are still on the day before
 * when it is early morning at Greenwich.
 */
function taskedOn(campaign: CampaignRow): string {
  return utcDate(new Date(Date.parse(campaign.openedAt) - 12 * 3_600_000));
}

/**
 * The last day a post may date a meeting or an answer on: today as the furthest east reckon it
 * (UTC+14, Kiribati). Posts east of Greenwich are on tomorrow's date for part of its day: Tokyo's
 * 08:00 on 1 December is 23:00 on 30 November in UTC.
 */
function latestDay(now: Date): string {
  return utcDate(new Date(now.getTime() + 14 * 3_600_000));
}

/** A document's facts from its bytes: its type by magic numbers (415 otherwise), size (413), digest. */
async function describeDocument(name: string, kind: DocumentFacts['kind'], content: Buffer): Promise<DocumentFacts> {
  if (content.length > MAX_DOCUMENT_BYTES) throw new ChanceryError(ErrorCode.PayloadTooLarge, `file: at most ${MAX_DOCUMENT_BYTES} bytes`, { errors: [{ field: 'file', message: 'larger than 10 MB' }] });
  if (content.length === 0) throw new ChanceryError(ErrorCode.ValidationFailed, 'file: the file is empty', { errors: [{ field: 'file', message: 'the file is empty' }] });
  const type = await sniffDocument(content);
  if (!type) {
    throw new ChanceryError(ErrorCode.UnsupportedMediaType, 'file: a document is a PDF, DOCX, ODT or UTF-8 text file (judged by its content, not its name)', {
      errors: [{ field: 'file', message: 'not a PDF, DOCX, ODT or UTF-8 text file' }],
    });
  }
  // Only the last segment of the name (some browsers send the sender's path), without the spaces
  // around it. Anything else in it is judged by the delivery (`attachDocument`): a control character
  // is refused there, not dropped here unsaid.
  const clean = name.split(/[\\/]/).pop()!.replace(/^ +| +$/g, '');
  // A name that says another document type than the content is (text named .pdf) would hand its
  // readers a file their viewer cannot open: the poster is told instead.
  const named = /\.(pdf|docx|odt|txt)$/i.exec(clean)?.[1].toLowerCase();
  if (named && named !== type.extension) {
    const message = `named .${named}, but its content is ${type.extension === 'txt' ? 'text' : `a ${type.extension.toUpperCase()} document`}`;
    throw new ChanceryError(ErrorCode.UnsupportedMediaType, `file: ${message}`, { errors: [{ field: 'file', message }] });
  }
  // Any other name is kept, with the content's extension after it: text named `x.html` is saved by
  // its readers as `x.html.txt`, which their system opens as text, not as a page that runs scripts.
  const stored = !clean ? `document.${type.extension}` : named ? clean : `${clean}.${type.extension}`;
  return { documentId: randomUUID(), name: stored, kind, mediaType: type.mediaType, size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}
