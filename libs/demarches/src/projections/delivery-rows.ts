import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { prepared } from '@chancery/database';
import { aggregateIdOf, type RecordedEvent } from '@chancery/event-store';
import { isNarrowed, readingLevel } from '@chancery/identity/domain';
import type { CampaignEvent } from '../domain/campaign.aggregate.js';
import { currentResponse, type DeliveryEvent, type DeliveryState, evolveDelivery, positionChanged } from '../domain/delivery.aggregate.js';

/**
 * The statements the demarches read model writes with, shared by its `apply` (a batch at a time)
 * and its rebuild's replay (rows held in memory and written once).
 */

/** A delivery row's state as the projection keeps it: the fold's state, and the row's version and time. */
export interface DeliveryRow {
  campaign_id: string;
  post: string;
  version: number;
  /** Serialised by JSON.stringify as an ISO instant. */
  updated_at: Date;
  state: DeliveryState;
}

export interface Opening {
  id: string;
  data: Extract<CampaignEvent, { type: 'CampaignOpened' }>['data'];
  version: number;
  recordedAt: Date;
}

export function openingOf(recorded: RecordedEvent): Opening {
  const id = aggregateIdOf('campaign', recorded.streamId);
  return { id, data: (recorded.data as Opening['data']), version: recorded.streamVersion, recordedAt: recorded.recordedAt };
}

/** The campaign and post of a delivery event. */
export function deliveryOf(recorded: RecordedEvent): { campaignId: string; post: string } {
  const id = aggregateIdOf('delivery', recorded.streamId);
  const colon = id.indexOf(':');
  return { campaignId: id.slice(0, colon), post: id.slice(colon + 1) };
}

/** One event folded into a delivery's row (the domain's one fold): the row's version and time become the event's. */
export function foldEvent(row: DeliveryRow, recorded: RecordedEvent): DeliveryRow {
  // The time of the record stands in for an `at` the event lacks (written before events carried one).
  const recordedAt = (recorded.data as { at?: string | null }).at ? null : recorded.recordedAt.toISOString();
  const state = evolveDelivery(row.state, { type: recorded.type, data: recorded.data } as DeliveryEvent, recordedAt);
  return { campaign_id: row.campaign_id, post: row.post, version: recorded.streamVersion, updated_at: recorded.recordedAt, state };
}

/** The campaigns' rows, in one statement. */
export async function insertCampaigns(tx: EntityManager, openings: Opening[]): Promise<void> {
  if (openings.length === 0) return;
  const records = openings.map(({ id, data: c, version }) => ({
    id, cable_id: c.cableId, mrn: c.mrn, subject: c.subject, classification: c.classification, classification_level: readingLevel(c.classification),
    captions: c.captions, narrowed: isNarrowed(c.captions), working_party: c.workingParty, posts: c.posts, report_by: c.reportBy,
    targets: c.targets, opened_at: c.openedAt, version, scope: c.scope ?? null,
  }));
  await tx.query(
    `INSERT INTO demarche_campaigns (${CAMPAIGN_COLUMNS.join(', ')})
     SELECT ${CAMPAIGN_COLUMNS.join(', ')} FROM json_to_recordset($1::json) AS c(${CAMPAIGN_TYPES})`,
    [JSON.stringify(records)],
  );
}

const CAMPAIGN_SHAPE: [string, string][] = [
  ['id', 'uuid'], ['cable_id', 'uuid'], ['mrn', 'text'], ['subject', 'text'], ['classification', 'text'], ['classification_level', 'smallint'],
  ['captions', 'text[]'], ['narrowed', 'boolean'], ['working_party', 'text[]'], ['posts', 'text[]'], ['report_by', 'date'], ['targets', 'text'],
  ['opened_at', 'timestamptz'], ['version', 'integer'], ['scope', 'jsonb'],
];
const [CAMPAIGN_COLUMNS, CAMPAIGN_TYPES] = recordset(CAMPAIGN_SHAPE);

/** A table's columns, and their list with types for `json_to_recordset … AS x(…)`. */
function recordset(shape: [string, string][]): [string[], string] {
  return [shape.map(([column]) => column), shape.map(([column, type]) => `${column} ${type}`).join(', ')];
}

/** Rows of tasked posts that have recorded nothing yet: pending since the campaign opened. */
export async function insertPendingRows(tx: EntityManager, campaignId: string, posts: string[], openedAt: Date): Promise<void> {
  if (posts.length === 0) return;
  await tx.query(
    `INSERT INTO demarche_deliveries (campaign_id, post, status, version, updated_at)
     SELECT $1, post, 'PENDING', 0, $3 FROM unnest($2::text[]) AS post`,
    [campaignId, posts, openedAt],
  );
}

/** The columns of a delivery row that the projection writes, and their types as JSON records carry them. */
const ROW_SHAPE: [string, string][] = [
  ['campaign_id', 'uuid'], ['post', 'text'], ['version', 'integer'], ['updated_at', 'timestamptz'], ['status', 'text'],
  ['delivered_on', 'date'], ['counterpart', 'jsonb'], ['level', 'text'], ['method', 'text'],
  ['received_on', 'date'], ['position', 'text'], ['summary', 'text'], ['quotes', 'text[]'], ['reporting_cable_id', 'uuid'],
  ['not_delivered_reason', 'text'], ['overdue_since', 'timestamptz'],
  ['contacts', 'jsonb'], ['responses', 'jsonb'], ['documents', 'jsonb'], ['position_changed', 'boolean'],
];
const [ROW_COLUMNS, ROW_TYPES] = recordset(ROW_SHAPE);
const STATE_COLUMNS = ROW_COLUMNS.filter((column) => column !== 'campaign_id' && column !== 'post');
/** How each column's value is written in COPY's text format. */
const COPY_FORMATS: ((value: unknown) => string)[] = ROW_SHAPE.map(([, type]) => {
  const format: (value: unknown) => string =
    type === 'jsonb' ? (value) => copyText(JSON.stringify(value))
    : type === 'text[]' ? (value) => copyText(textArray(value as string[]))
    : type === 'boolean' ? (value) => (value ? 't' : 'f')
    : (value) => (value instanceof Date ? value.toISOString() : copyText(String(value)));
  return (value) => (value === null || value === undefined ? NULL : format(value));
});
// Prepared for a command (`statement`); PostgreSQL plans it again when the search_path differs (a
// rebuild's shadow schema) or its tables change (the swap).
const UPDATE_ROWS = `UPDATE demarche_deliveries d SET ${STATE_COLUMNS.map((column) => `${column} = p.${column}`).join(', ')}
  FROM json_to_recordset($1::json) AS p(${ROW_TYPES})
  WHERE (d.campaign_id, d.post) IN (SELECT * FROM unnest($2::uuid[], $3::text[]))
    AND d.campaign_id = p.campaign_id AND d.post = p.post`;
/** Up to this many campaigns or rows, a statement is a prepared one (a command's); more, planned for the batch. */
const FEW = 8;

/**
 * A command touches a row or two: its statements are prepared (named), planned once per connection.
 * A batch of hundreds (a rebuild's, a runner's) is planned for its own size instead: a plan made
 * for one row can be a poor one for thousands.
 */
function statement<T = Record<string, unknown>>(tx: EntityManager, size: number, name: string, text: string, params: unknown[]): Promise<T[]> {
  return size <= FEW ? prepared<T>(tx, name, text, params) : tx.query(text, params);
}
/** Rows a statement carries at most (one JSON parameter each). */
const CHUNK = 5000;

/**
 * Writes rows in the shape of `ROW_SHAPE`: new ones (`insert`) or rows that exist (`update`). The
 * rows travel as one JSON document a statement; `json`, not `jsonb`: the server parses it once, in
 * `json_to_recordset`.
 */
export async function writeRows(tx: EntityManager, rows: DeliveryRow[], how: 'insert' | 'update'): Promise<void> {
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    const records = JSON.stringify(chunk.map(toRecord));
    if (how === 'update') {
      // The keys again as arrays: `unnest` tells the planner how many rows come (json_to_recordset
      // always says 100), so that one command's row is found by the primary key, not by a scan.
      const params = [records, chunk.map((row) => row.campaign_id), chunk.map((row) => row.post)];
      await statement(tx, chunk.length, 'chancery_delivery_rows_update', UPDATE_ROWS, params);
      continue;
    }
    await tx.query(
      `INSERT INTO demarche_deliveries (${ROW_COLUMNS.join(', ')})
       SELECT ${ROW_COLUMNS.join(', ')} FROM json_to_recordset($1::json) AS p(${ROW_TYPES})`,
      [records],
    );
  }
}

/**
 * New rows by COPY, in its text format: the server reads each value straight into its column, about
 * three times as fast as taking the rows apart from JSON. For a rebuild's replay, which writes every
 * row once. Needs a connection that speaks the COPY sub-protocol (not PGlite's socket: `writeRows`).
 */
export async function copyRows(tx: EntityManager, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const client = await tx.queryRunner!.connect();
  const copy = client.query(copyFrom(`COPY demarche_deliveries (${ROW_COLUMNS.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyLines(rows)), copy);
}

function* copyLines(rows: DeliveryRow[]): Generator<string> {
  for (let at = 0; at < rows.length; at += 500) {
    let text = '';
    for (const row of rows.slice(at, at + 500)) text += copyLine(row);
    yield text;
  }
}

/** A row as a line of COPY's text format: its values (`rowValues`), each as its column's type wants it. */
function copyLine(row: DeliveryRow): string {
  const values = rowValues(row);
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? '\t' : '') + COPY_FORMATS[i](values[i]);
  return line + '\n';
}

const NULL = '\\N';
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const SPECIALS = /[\\\n\r\t]/g;

/** Text as COPY reads it: backslash, newline, carriage return and tab escaped (a string with none is answered as it is). */
function copyText(value: string): string {
  return value.replace(SPECIALS, (c) => ESCAPES[c]);
}

/** What a response quoted, as the row's `quotes` keeps it (the text of each). */
function quoteTexts(response: { quotes: { text: string }[] | null }): string[] {
  return Array.isArray(response.quotes) ? response.quotes.map((quote) => String(quote?.text ?? '')) : [];
}

/** A text[] literal: every element quoted, its quotes and backslashes escaped. */
function textArray(items: string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

interface StateRow {
  campaign_id: string;
  post: string;
  version: number;
  updated_at: Date;
  status: DeliveryState['status'];
  contacts: DeliveryState['contacts'];
  responses: DeliveryState['responses'];
  documents: DeliveryState['documents'];
  not_delivered_reason: string | null;
  overdue_since: Date | null;
}

/**
 * The stored rows of these deliveries (`keys`), or of every post of these campaigns (`campaigns`),
 * as the fold's state. `lock` also locks the rows' campaigns (`FOR UPDATE`, in id order) in the
 * same statement: their tallies are then changed by one writer at a time, always in the same order.
 */
export async function readRows(
  tx: EntityManager,
  which: { keys: { campaign_id: string; post: string }[]; lock?: boolean } | { campaigns: string[] },
): Promise<DeliveryRow[]> {
  const columns = 'd.campaign_id, d.post, d.version, d.updated_at, d.status, d.contacts, d.responses, d.documents, d.not_delivered_reason, d.overdue_since';
  const keyed = `FROM demarche_deliveries d JOIN unnest($1::uuid[], $2::text[]) AS k(campaign_id, post) ON d.campaign_id = k.campaign_id AND d.post = k.post`;
  const rows: StateRow[] =
    'keys' in which
      ? await statement<StateRow>(
          tx,
          which.keys.length,
          which.lock ? 'chancery_delivery_rows_lock' : 'chancery_delivery_rows_read',
          which.lock
            ? `SELECT ${columns} ${keyed} JOIN demarche_campaigns c ON c.id = d.campaign_id ORDER BY c.id, d.post FOR UPDATE OF c`
            : `SELECT ${columns} ${keyed}`,
          [which.keys.map((k) => k.campaign_id), which.keys.map((k) => k.post)],
        )
      : await tx.query(`SELECT ${columns} FROM demarche_deliveries d WHERE d.campaign_id = ANY($1::uuid[])`, [which.campaigns]);
  return rows.map((r) => ({
    campaign_id: r.campaign_id,
    post: r.post,
    version: r.version,
    updated_at: r.updated_at,
    state: {
      status: r.status, contacts: r.contacts, responses: r.responses, documents: r.documents,
      notDeliveredReason: r.not_delivered_reason, overdueSince: r.overdue_since ? r.overdue_since.toISOString() : null,
    },
  }));
}

/**
 * Counts each campaign's deliveries by bureau, status and position afresh from its rows, then
 * copies them and its unanswered posts into the campaign row as JSON (deterministic order), which
 * is what the dashboard reads.
 */
export async function recount(tx: EntityManager, campaignIds: string[]): Promise<void> {
  const run = (name: string, text: string, params: unknown[]) => statement(tx, campaignIds.length, name, text, params);
  await run('chancery_counts_clear', 'DELETE FROM demarche_counts WHERE campaign_id = ANY($1::uuid[])', [campaignIds]);
  await run(
    'chancery_counts_count',
    `INSERT INTO demarche_counts (campaign_id, bureau, status, position, count)
     SELECT d.campaign_id, coalesce(p.bureau, '?'), d.status, coalesce(d.position, ''), count(*)
     FROM demarche_deliveries d LEFT JOIN posts p ON p.code = d.post
     WHERE d.campaign_id = ANY($1::uuid[])
     GROUP BY 1, 2, 3, 4`,
    [campaignIds],
  );
  await run(
    'chancery_counts_tally',
    `UPDATE demarche_campaigns c SET
       counts = (SELECT coalesce(json_agg(json_build_array(n.bureau, n.status, nullif(n.position, ''), n.count)
                                          ORDER BY n.bureau, n.status, n.position), '[]')
                 FROM demarche_counts n WHERE n.campaign_id = c.id AND n.count > 0),
       unanswered_posts = (SELECT coalesce(json_agg(d.post ORDER BY d.post), '[]')
                           FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.status IN ('PENDING', 'DELIVERED')),
       positions_changed = (SELECT count(*) FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.position_changed)
     WHERE c.id = ANY($1::uuid[])`,
    [campaignIds],
  );
}

/** What a delivery row adds to its campaign's tallies. */
interface Tally {
  status: string;
  /** '' when there is none, as `demarche_counts` keeps it. */
  position: string;
  changed: boolean;
  unanswered: boolean;
}

function tallyOf(state: DeliveryState): Tally {
  return {
    status: state.status,
    position: currentResponse(state)?.position ?? '',
    changed: positionChanged(state),
    unanswered: state.status === 'PENDING' || state.status === 'DELIVERED',
  };
}

/**
 * Rows that exist, written back (`after`, folded from `before`), and their campaigns' tallies moved
 * by the difference, all in one statement: each row that changed status or position takes one from
 * its old count and adds one to its new (`demarche_counts`, upserted), and the campaign row's
 * `counts`, `unanswered_posts` and `positions_changed` are changed by the same moves rather than
 * recounted from every row of the campaign. The campaigns must be locked first (`readRows` with
 * `lock`): the statement's reads of the campaign row then see every earlier writer's commit.
 */
export async function updateRows(tx: EntityManager, before: DeliveryRow[], after: DeliveryRow[]): Promise<void> {
  const stored = new Map(before.map((row) => [`${row.campaign_id}:${row.post}`, row]));
  for (let at = 0; at < after.length; at += CHUNK) {
    const chunk = after.slice(at, at + CHUNK);
    const { moves, campaigns } = tallyMoves(stored, chunk);
    const params = [JSON.stringify(chunk.map(toRecord)), chunk.map((row) => row.campaign_id), chunk.map((row) => row.post), JSON.stringify(moves), JSON.stringify(campaigns)];
    await statement(tx, chunk.length, 'chancery_delivery_rows_update_tallies', UPDATE_ROWS_AND_TALLIES, params);
  }
}

/** How rows written back move their campaigns' tallies: counts by status and position, and each campaign's other tallies. */
function tallyMoves(stored: Map<string, DeliveryRow>, rows: DeliveryRow[]) {
  const moves: { campaign_id: string; post: string; status: string; position: string; delta: number }[] = [];
  const campaigns = new Map<string, { campaign_id: string; changed: number; answered: string[]; unanswered: string[] }>();
  for (const row of rows) {
    const previous = stored.get(`${row.campaign_id}:${row.post}`);
    if (!previous) throw new Error(`updateRows: no stored row for ${row.campaign_id}:${row.post}`);
    const [from, to] = [tallyOf(previous.state), tallyOf(row.state)];
    if (from.status !== to.status || from.position !== to.position) {
      moves.push({ campaign_id: row.campaign_id, post: row.post, status: from.status, position: from.position, delta: -1 });
      moves.push({ campaign_id: row.campaign_id, post: row.post, status: to.status, position: to.position, delta: 1 });
    }
    const campaign = campaigns.get(row.campaign_id) ?? campaigns.set(row.campaign_id, { campaign_id: row.campaign_id, changed: 0, answered: [], unanswered: [] }).get(row.campaign_id)!;
    campaign.changed += Number(to.changed) - Number(from.changed);
    if (from.unanswered && !to.unanswered) campaign.answered.push(row.post);
    if (!from.unanswered && to.unanswered) campaign.unanswered.push(row.post);
  }
  return { moves, campaigns: [...campaigns.values()] };
}

// One statement: the rows (as UPDATE_ROWS), the counts' upserts, the campaigns' tallies. The
// campaign's `counts` JSON keeps the entries no move touched and takes the upserted ones, in the
// order a recount writes them (`recount`), leaving out counts that fell to nought. The rows'
// campaign ids ($2, an array) let the planner find the campaigns by their key: it takes a JSON
// recordset for a hundred rows and would scan the table for them. A post's bureau is looked up
// the same way, by key.
const UPDATE_ROWS_AND_TALLIES = `WITH written AS (${UPDATE_ROWS} RETURNING 1),
  moves AS (SELECT * FROM json_to_recordset($4::json) AS m(campaign_id uuid, post text, status text, position text, delta integer)),
  counted AS (
    INSERT INTO demarche_counts AS n (campaign_id, bureau, status, position, count)
    SELECT m.campaign_id, coalesce((SELECT p.bureau FROM posts p WHERE p.code = m.post), '?'), m.status, m.position, sum(m.delta)
    FROM moves m GROUP BY 1, 2, 3, 4
    ON CONFLICT (campaign_id, bureau, status, position) DO UPDATE SET count = n.count + excluded.count
    RETURNING n.campaign_id, n.bureau, n.status, n.position, n.count),
  tallies AS (SELECT * FROM json_to_recordset($5::json) AS t(campaign_id uuid, changed integer, answered text[], unanswered text[]))
UPDATE demarche_campaigns c SET
  counts = (SELECT coalesce(json_agg(json_build_array(e.bureau, e.status, nullif(e.position, ''), e.count) ORDER BY e.bureau, e.status, e.position), '[]')
            FROM (SELECT x->>0 AS bureau, x->>1 AS status, coalesce(x->>2, '') AS position, (x->>3)::integer AS count
                  FROM json_array_elements(c.counts) AS x
                  WHERE NOT EXISTS (SELECT 1 FROM counted k WHERE k.campaign_id = c.id AND k.bureau = x->>0 AND k.status = x->>1 AND k.position = coalesce(x->>2, ''))
                  UNION ALL
                  SELECT k.bureau, k.status, k.position, k.count FROM counted k WHERE k.campaign_id = c.id) AS e
            WHERE e.count > 0),
  unanswered_posts = (SELECT coalesce(json_agg(u.post ORDER BY u.post), '[]')
                      FROM (SELECT x AS post FROM json_array_elements_text(c.unanswered_posts) AS x WHERE x <> ALL (t.answered)
                            UNION SELECT unnest(t.unanswered)) AS u),
  positions_changed = c.positions_changed + t.changed
FROM tallies t WHERE c.id = t.campaign_id AND c.id = ANY ($2::uuid[])`;

/** A delivery row as the JSON record the statements read (`ROW_SHAPE`). */
function toRecord(row: DeliveryRow): Record<string, unknown> {
  const values = rowValues(row);
  return Object.fromEntries(ROW_COLUMNS.map((column, i) => [column, values[i]]));
}

/** A delivery row's values, in `ROW_SHAPE`'s order: the one place a row's columns are derived from its state. */
function rowValues({ campaign_id, post, version, updated_at, state }: DeliveryRow): unknown[] {
  const delivered = state.contacts[0];
  const response = currentResponse(state);
  return [
    campaign_id, post, version, updated_at, state.status,
    delivered?.on ?? null, delivered?.counterpart ?? null, delivered?.level ?? null, delivered?.method ?? null,
    response?.receivedOn ?? null, response?.position ?? null, response?.summary ?? null, response ? quoteTexts(response) : null, response?.reportingCableId ?? null,
    state.notDeliveredReason, state.overdueSince,
    state.contacts, state.responses, state.documents, positionChanged(state),
  ];
}
