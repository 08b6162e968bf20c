import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { CableReader } from '@chancery/cables';
import { E_TIMEOUT, Semaphore, withTimeout } from 'async-mutex';
import { backoff, ChanceryError, CSV_FORMAT, ErrorCode, type HistoryPage, neutralizeCsvRows, pageOf } from '@chancery/common';
import { isTransientDatabaseError, sql } from '@chancery/database';
import { AuditLog } from '@chancery/audit';
import { EventStore } from '@chancery/event-store';
import { PolicyService } from '@chancery/identity';
import { allowedDeliveryActions, type CableAccess, mayReadCable, type Principal } from '@chancery/identity/domain';
import { type CampaignRow, DemarchesQuery, readableEventData, summarize } from './demarches.query.js';
import { standingResponses } from './domain/delivery.aggregate.js';

/** A stored document as its download's headers describe it. */
export interface DocumentDescription {
  name: string;
  mediaType: string;
  sha256: string;
  size: number;
}

interface DocumentRow {
  name: string;
  media_type: string;
  sha256: string;
  size: number;
}

/**
 * Chunks of documents read at once (per process), and how long a download's first chunk waits for
 * its turn before the download is answered 503. A 10 MB document is a quarter of a second of the
 * embedded database's one connection: a crowd of downloads read whole at once kept every other
 * request waiting behind them (100 of them, 25 s).
 */
export const DOWNLOADS_AT_ONCE = 2;
export const DOWNLOAD_WAIT_MS = 10_000;
/** How often a chunk after the first is tried while the database asks for a retry, its download under way. */
const LATER_CHUNK_TRIES = 3;
/**
 * A document's bytes are read this much per statement, so that its connection goes back to the pool
 * between two (in embedded mode, to whoever waits for the only one) rather than being held for the
 * whole document.
 */
export const DOCUMENT_CHUNK_BYTES = 1024 * 1024;

interface PostRow {
  code: string;
  country: string;
  bureau: string;
}

/**
 * Single reads of a campaign and its deliveries: each is read under the cable that opened the
 * campaign, as that cable stands now (the need-to-know policy decides, a denial says nothing), and
 * a read of classified content is audited.
 */
@Injectable()
export class CampaignReader {
  /** Chunk reads of downloads under way, first come, first served. */
  private readonly chunkReads = new Semaphore(DOWNLOADS_AT_ONCE);
  /** A download's first chunk waits at most DOWNLOAD_WAIT_MS for its turn (then 503, before any byte is sent). */
  private readonly firstChunkReads = withTimeout(this.chunkReads, DOWNLOAD_WAIT_MS);

  constructor(
    private readonly query: DemarchesQuery,
    private readonly cables: CableReader,
    private readonly policy: PolicyService,
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async get(principal: Principal, id: string, requestId: string) {
    const { campaign, access } = await this.readable(principal, id, requestId, 'campaign');
    const deliveries = await this.query.deliveries(principal, campaign);
    const { posts: _posts, ...facts } = campaign;
    const own = deliveries.find((d) => d.post === principal.postCode);
    const allowedActions = own ? allowedDeliveryActions(principal, access, own.post, own.status) : [];
    const positionsChanged = deliveries.filter((d) => d.positionChanged).length;
    return { ...facts, summary: summarize(deliveries), positionsChanged, deliveries, allowedActions };
  }

  /** The campaign's events, oldest first; `page` takes `limit` of them from `offset` (all by default). */
  async history(principal: Principal, id: string, requestId: string, page: HistoryPage = {}) {
    const { campaign } = await this.readable(principal, id, requestId, 'history');
    const items = await this.query.history(principal, campaign);
    return { items: pageOf(items, page), total: items.length };
  }

  async delivery(principal: Principal, id: string, post: string, requestId: string) {
    const { campaign, access, found: delivery } = await this.readable(principal, id, requestId, `delivery ${post}`, async (campaign) => {
      const [delivery] = await this.query.deliveries(principal, campaign, post);
      if (!delivery) throw new ChanceryError(ErrorCode.NotFound, `${post} is not tasked by this campaign`);
      return delivery;
    });
    const events = await this.store.readStream(`delivery-${id}:${post}`);
    // Its reporting cables as the view has them: those the caller may read.
    const readable = new Map(delivery.reportingCables.map((c) => [c.cableId, c.mrn ?? '']));
    const history = events.map((e) => {
      const { data, withheld } = readableEventData(e.type, e.data, readable);
      const entry = { version: e.streamVersion, type: e.type, at: e.recordedAt.toISOString(), actor: withheld ? null : (e.metadata.actorId ?? null), data };
      return withheld ? { ...entry, withheld } : entry;
    });
    // Whoever its history names too (who recorded it not delivered, whose record no later one keeps).
    const unnamed = [...new Set(history.flatMap((e) => (e.actor && !(e.actor in delivery.people) ? [e.actor] : [])))];
    const people = unnamed.length === 0 ? delivery.people : { ...delivery.people, ...Object.fromEntries(await this.query.people(unnamed)) };
    const { posts: _posts, ...facts } = campaign;
    return {
      campaign: { id: facts.id, cableId: facts.cableId, mrn: facts.mrn, subject: facts.subject, classification: facts.classification, captions: facts.captions, reportBy: facts.reportBy, targets: facts.targets, scope: facts.scope },
      ...delivery,
      people,
      history,
      allowedActions: allowedDeliveryActions(principal, access, post, delivery.status),
    };
  }

  /**
   * A document left behind, as uploaded (byte for byte), under the campaign's reading rights.
   * Every download is audited, whatever the classification. Its bytes are streamed, read a chunk at
   * a time as its client takes them (DOWNLOADS_AT_ONCE chunk reads at once in the process): a crowd
   * of downloads, or of clients that read slowly, holds neither the database nor whole documents in
   * memory. A download whose first chunk waited DOWNLOAD_WAIT_MS for its turn is 503.
   */
  async document(principal: Principal, id: string, post: string, documentId: string, requestId: string): Promise<DocumentDescription & { content: Readable }> {
    const { access, document } = await this.documentOf(principal, id, post, documentId, requestId, `document ${post}`);
    const first = await this.firstChunkReads.runExclusive(() => this.chunkOf(documentId, 0)).catch((error: unknown) => {
      if (error !== E_TIMEOUT) throw error;
      throw new ChanceryError(ErrorCode.DatabaseBusy, 'Too many documents are being downloaded at once; try again shortly.', { retryAfter: 2 });
    });
    await this.audit.append({
      actorId: principal.id,
      actorRole: principal.roles.join('+'),
      action: 'DownloadDocument',
      streamId: `delivery-${id}:${post}`,
      streamType: 'delivery',
      requestId,
      // The audit log is read by auditors who may not read the campaign: ids and digests, never names or text.
      details: { documentId, sha256: document.sha256, classification: access.classification },
    });
    // A byte stream: the next chunk is read once the client has taken about this one.
    const content = Readable.from(this.chunks(documentId, document.size, first), { objectMode: false, highWaterMark: DOCUMENT_CHUNK_BYTES });
    return { ...document, content };
  }

  /**
   * What a download of the document would carry in its headers (a HEAD request), under the same
   * reading rights: none of its bytes are read, and no download is recorded.
   */
  async documentDescription(principal: Principal, id: string, post: string, documentId: string, requestId: string): Promise<DocumentDescription> {
    return (await this.documentOf(principal, id, post, documentId, requestId, `document ${post} (headers)`)).document;
  }

  private async documentOf(principal: Principal, id: string, post: string, documentId: string, requestId: string, view: string) {
    const { access, found: document } = await this.readable(principal, id, requestId, view, async (): Promise<DocumentDescription> => {
      const [row] = await sql<DocumentRow>(
        this.dataSource,
        'SELECT name, media_type, sha256, octet_length(content) AS size FROM demarche_documents WHERE id = $1::uuid AND campaign_id = $2::uuid AND post = $3',
        [documentId, id, post],
      );
      if (!row) throw new ChanceryError(ErrorCode.NotFound, `No document ${documentId} in ${post}'s delivery`);
      return { name: row.name, mediaType: row.media_type, sha256: row.sha256, size: row.size };
    });
    return { access, document };
  }

  /** A document's bytes, `first` chunk already read, each next one read when it is asked for. */
  private async *chunks(documentId: string, size: number, first: Buffer): AsyncGenerator<Buffer> {
    yield first;
    for (let offset = DOCUMENT_CHUNK_BYTES; offset < size; offset += DOCUMENT_CHUNK_BYTES) {
      // Its headers are sent: a failure now can only break the download, so a passing one is tried again.
      yield await this.chunkReads.runExclusive(() => this.chunkOf(documentId, offset, LATER_CHUNK_TRIES));
    }
  }

  /**
   * DOCUMENT_CHUNK_BYTES of a document's bytes from `offset` (they never change once stored), tried
   * up to `tries` times while the database asks for a retry (busy, restarting).
   */
  private async chunkOf(documentId: string, offset: number, tries = 1): Promise<Buffer> {
    for (let tryNo = 1; ; tryNo++) {
      try {
        const [{ chunk }] = await sql<{ chunk: Buffer }>(
          this.dataSource,
          'SELECT substring(content FROM $2 FOR $3) AS chunk FROM demarche_documents WHERE id = $1::uuid',
          [documentId, offset + 1, DOCUMENT_CHUNK_BYTES],
        );
        return chunk;
      } catch (error) {
        if (tryNo >= tries || !isTransientDatabaseError(error)) throw error;
        await sleep(backoff(tryNo, 200));
      }
    }
  }

  /** One row per post (RFC 4180), every cell neutralised against spreadsheet formulas. */
  async exportCsv(principal: Principal, id: string, requestId: string): Promise<{ filename: string; csv: string }> {
    const { campaign, access } = await this.readable(principal, id, requestId, 'export');
    // Every row is the campaign's cable's: marked with its classification and captions, as the
    // follow-ups' file marks each row, so that a row copied out of the file keeps its marking.
    const deliveries = await this.query.deliveries(principal, campaign);
    const posts = new Map(
      (await sql<PostRow>(this.dataSource, 'SELECT code, country, bureau FROM posts WHERE code = ANY($1::text[])', [deliveries.map((d) => d.post)])).map((p) => [p.code, p]),
    );
    const rows = deliveries.map((d) => ({
      post: d.post,
      classification: access.classification,
      captions: access.captions.join(' '),
      country: posts.get(d.post)?.country ?? '',
      bureau: posts.get(d.post)?.bureau ?? '',
      status: d.status,
      deliveredOn: d.deliveredOn ?? '',
      counterpart: d.counterpart ? `${d.counterpart.name}, ${d.counterpart.title}, ${d.counterpart.organization}` : '',
      level: d.level ?? '',
      position: d.position ?? '',
      positionChanged: d.positionChanged ? 'yes' : 'no',
      firstPosition: standingResponses(d)[0]?.position ?? '',
      responses: String(d.responses.length),
      contacts: String(d.contacts.length),
      summary: d.summary ?? d.notDeliveredReason ?? '',
      quotes: d.quotes.map((q) => (q.translation ? `${q.text} [${q.translation}]` : q.text)).join(' | '),
      documents: d.documents.map((x) => `${x.kind}: ${x.name}`).join(' | '),
      // Each cable once, with the responses it reports (one cable may report several): "26 BEIJING 000001 (responses 2, 3)".
      reportingCables: reportingCablesCell(d.reportingCables),
      overdue: d.overdue ? 'yes' : 'no',
    }));
    const csv = stringify(neutralizeCsvRows(rows), {
      ...CSV_FORMAT,
      columns: ['post', 'classification', 'captions', 'country', 'bureau', 'status', 'deliveredOn', 'counterpart', 'level', 'position', 'positionChanged', 'firstPosition', 'responses', 'contacts', 'summary', 'quotes', 'documents', 'reportingCables', 'overdue'],
    });
    return { filename: `demarche-${campaign.mrn.replaceAll(' ', '')}.csv`, csv };
  }

  /**
   * The campaign, once the caller is known to be allowed to read it (403 otherwise, audited), and
   * what `find` finds in it (a delivery, a document). The read is audited only once all of it was
   * found: a 404 for a post not tasked or a document not there is not recorded as a read.
   */
  async readable<T = undefined>(
    principal: Principal,
    id: string,
    requestId: string,
    view: string,
    find?: (campaign: CampaignRow) => Promise<T> | T,
  ): Promise<{ campaign: CampaignRow; access: CableAccess; found: T }> {
    const campaign = await this.query.campaign(id);
    if (!campaign) throw new ChanceryError(ErrorCode.NotFound, `No campaign ${id}`);
    const access = await this.cables.accessInRequest(principal, campaign.cableId);
    const streamId = `campaign-${id}`;
    await this.policy.requireRecord(principal, access ? mayReadCable(principal, access) : { allowed: false, reason: 'its cable is missing' }, {
      requestId,
      action: `read campaign ${id} (${view})`,
      streamId,
    });
    const found = (await find?.(campaign)) as T;
    await this.policy.auditRead(principal, { requestId, streamId, streamType: 'campaign', view, classification: access!.classification });
    return { campaign, access: access!, found };
  }

}

/** A delivery's reporting cables as a CSV cell: each once, by MRN, with the responses it reports. */
export function reportingCablesCell(cables: readonly { response: number; cableId: string; mrn: string | null }[]): string {
  const responses = new Map<string, number[]>();
  for (const cable of cables) {
    const name = cable.mrn ?? cable.cableId;
    responses.set(name, [...(responses.get(name) ?? []), cable.response]);
  }
  return [...responses].map(([name, numbers]) => `${name} (${numbers.length === 1 ? 'response' : 'responses'} ${numbers.join(', ')})`).join(' | ');
}
