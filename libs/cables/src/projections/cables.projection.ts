import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import type { CableEvent } from '../domain/cable.aggregate.js';
import { isNarrowed, readingLevel } from '@chancery/identity/domain';
import { type CableDraft, compactMrn } from '../domain/cable-format.js';

const STATUS_AFTER: Partial<Record<CableEvent['type'], string>> = {
  ClearancesRequested: 'IN_CLEARANCE',
  CableSubmitted: 'PENDING_APPROVAL',
  CableApproved: 'APPROVED',
  CableReturned: 'DRAFT',
  CableReleased: 'RELEASED',
  CableCancelled: 'CANCELLED',
};

/** The draft's columns and its full-text document, as SQL parameters $2..$11. */
function draftParams(draft: CableDraft) {
  return [
    draft.kind,
    draft.subject,
    draft.classification,
    readingLevel(draft.classification),
    draft.captions,
    isNarrowed(draft.captions),
    draft.precedence,
    draft.tags,
    searchedText(draft),
    draft.references.map((r) => r.mrn),
  ];
}

/**
 * How much of a cable's text its search document reads: the first 150,000 characters. PostgreSQL
 * refuses a `tsvector` over 1 MB, and text made to be unlike any other (distinct two-character CJK
 * words, ~4.7 bytes of document a character) reaches that well within the body limit; at this
 * bound the worst text makes ~0.7 MB. A cable's text is seldom a tenth of it.
 */
const SEARCHED_CHARACTERS = 150_000;

/**
 * The text (its first SEARCHED_CHARACTERS, cut between two characters, never inside one), and the
 * MRNs it cites by REF (full and compact), so that a search for a tasking's MRN finds its replies.
 */
const searchedText = (draft: CableDraft) => [searchedWords(draft.paragraphs.map((p) => p.text).join('\n')), ...draft.references.flatMap((r) => [r.mrn, refCompact(r.mrn)])].join('\n');

function searchedWords(text: string): string {
  if (text.length <= SEARCHED_CHARACTERS) return text;
  // A cut between a surrogate pair's halves would leave half a character.
  const end = /[\uD800-\uDBFF]/.test(text[SEARCHED_CHARACTERS - 1]) ? SEARCHED_CHARACTERS - 1 : SEARCHED_CHARACTERS;
  return text.slice(0, end);
}

const refCompact = (mrn: string) => {
  try {
    return compactMrn(mrn);
  } catch {
    return mrn;
  }
};

/**
 * A cable's full-text document: its subject (weighted first), text and REFs, and its TAGS, from the
 * statement's parameters named (`draftParams` gives them as $3, $10 and $9). The configurations read accented letters as plain ones
 * (`AddAccentInsensitiveSearch`); a search names the same ones (`CablesQuery`).
 */
const searchOf = (subject: string, text: string, tags: string) => `setweight(to_tsvector('chancery_english', ${subject}), 'A') || to_tsvector('chancery_english', ${text})
  || to_tsvector('chancery_simple', array_to_string(${tags}::text[], ' '))`;
const SEARCH = searchOf('$3', '$10', '$9');
/** The MRN, full and compact (the statement's parameters named), as words of the document. */
const MRN_WORDS = (full: string, compact: string) => `to_tsvector('chancery_simple', ${full} || ' ' || ${compact})`;

/**
 * Writes `id`'s document anew from its draft and MRN, as the events that made them wrote it, unless
 * the cable moved past `version` meanwhile (its own command wrote it then). Whether it changed.
 */
export async function rewriteCableSearch(db: Pick<EntityManager, 'query'>, id: string, version: number, draft: CableDraft, mrn: string | null): Promise<boolean> {
  const document = `${searchOf('$2', '$3', '$4')} || CASE WHEN $5::text IS NULL THEN ''::tsvector ELSE ${MRN_WORDS('$5', '$6::text')} END`;
  const [, changed] = (await db.query(
    `UPDATE cables c SET search = d.search FROM (SELECT ${document} AS search) d
     WHERE c.id = $1 AND c.version = $7 AND c.search IS DISTINCT FROM d.search`,
    [id, draft.subject, searchedText(draft), draft.tags, mrn, mrn === null ? null : compactMrn(mrn), version],
  )) as [unknown, number];
  return changed > 0;
}

/**
 * The `cables` table: what lists, searches and the access filter need, kept in the transaction of
 * every cable command. Columns the reader's clearance is checked against in SQL: classification
 * level, narrowing captions, the working party and the posts it went to.
 */
@Injectable()
export class CablesProjection implements ReadModel {
  readonly name = 'cables';
  readonly kind = 'read-model';
  readonly tables = ['cables'];
  readonly handles = [
    'CableDrafted', 'CableEdited', 'ClearancesRequested', 'ClearanceGranted', 'ClearanceGrantedWithComments',
    'ClearanceNonConcurred', 'ClearancesMadeStale', 'ClearanceRequestWithdrawn', 'CableSubmitted', 'CableApproved', 'CableReturned', 'CableReleased', 'CableCancelled',
  ];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const id = aggregateIdOf('cable', recorded.streamId);
      const event = { type: recorded.type, data: recorded.data } as CableEvent;
      const touch = [id, recorded.streamVersion, recorded.recordedAt];
      switch (event.type) {
        case 'CableDrafted': {
          const { origin, drafter, draft } = event.data;
          await tx.query(
            `INSERT INTO cables (id, kind, subject, classification, classification_level, captions, narrowed, precedence, tags,
               reference_mrns, origin, status, drafter_id, working_party, addressed_posts, drafted_at, updated_at, version, search, drafting_office)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12, 'DRAFT', $13::uuid, ARRAY[$13::text], $14, $15, $15, $16, ${SEARCH}, $17)`,
            [id, ...draftParams(draft), origin, drafter.id, origin === 'STATE' ? [] : [origin], recorded.recordedAt, recorded.streamVersion, drafter.office],
          );
          break;
        }
        case 'CableEdited':
          await tx.query(
            `UPDATE cables SET kind = $2, subject = $3, classification = $4, classification_level = $5, captions = $6, narrowed = $7,
               precedence = $8, tags = $9, reference_mrns = $11, search = ${SEARCH} || to_tsvector('chancery_simple', coalesce(mrn, '')), version = $12, updated_at = $13
             WHERE id = $1`,
            [id, ...draftParams(event.data.draft), recorded.streamVersion, recorded.recordedAt],
          );
          break;
        case 'ClearanceGranted':
        case 'ClearanceGrantedWithComments':
        case 'ClearanceNonConcurred':
        case 'CableApproved':
          await tx.query(
            `UPDATE cables SET working_party = CASE WHEN $4 = ANY(working_party) THEN working_party ELSE array_append(working_party, $4) END,
               awaiting_clearance = array_remove(awaiting_clearance, $6), awaiting_since = awaiting_since - coalesce($6, ''),
               status = coalesce($5, status), version = $2, updated_at = $3 WHERE id = $1`,
            [...touch, event.data.by.id, STATUS_AFTER[event.type] ?? null, 'office' in event.data ? event.data.office : null],
          );
          break;
        case 'ClearancesRequested':
        case 'ClearancesMadeStale':
          // The offices whose (fresh) clearance the cable now waits for; every office asked is in its working party.
          await tx.query(
            `UPDATE cables SET awaiting_clearance = ARRAY(SELECT DISTINCT unnest(awaiting_clearance || $4::text[])),
               awaiting_since = awaiting_since || (SELECT coalesce(jsonb_object_agg(office, $6::text), '{}') FROM unnest($4::text[]) AS office),
               clearing_offices = ARRAY(SELECT DISTINCT unnest(clearing_offices || $4::text[])),
               status = coalesce($5, status), version = $2, updated_at = $3 WHERE id = $1`,
            [...touch, event.data.offices, STATUS_AFTER[event.type] ?? null, recorded.recordedAt.toISOString()],
          );
          break;
        case 'ClearanceRequestWithdrawn':
          // A withdrawn office is no longer asked: nothing awaited from it, and it reads no more as a clearing office.
          await tx.query(
            `UPDATE cables SET awaiting_clearance = array_remove(awaiting_clearance, $4), awaiting_since = awaiting_since - $4::text, clearing_offices = array_remove(clearing_offices, $4),
               version = $2, updated_at = $3 WHERE id = $1`,
            [...touch, event.data.office],
          );
          break;
        case 'CableReturned':
          await tx.query(
            `UPDATE cables SET status = 'DRAFT', returned_at = $4, return_reason = $5, returned_by = $6, return_level = classification_level, version = $2, updated_at = $3 WHERE id = $1`,
            [...touch, event.data.at, event.data.reason, event.data.by.id],
          );
          break;
        case 'CableReleased': {
          const { mrn, releasedAt, distribution } = event.data;
          await tx.query(
            `UPDATE cables SET status = 'RELEASED', mrn = $4, released_at = $5,
               addressed_posts = ARRAY(SELECT DISTINCT unnest(addressed_posts || $6::text[])), distribution = $6,
               action_posts = $8, info_posts = $9,
               search = search || ${MRN_WORDS('$4', '$7')}, version = $2, updated_at = $3 WHERE id = $1`,
            [...touch, mrn, releasedAt, [...distribution.action, ...distribution.info], compactMrn(mrn), distribution.action, distribution.info],
          );
          break;
        }
        default:
          await tx.query('UPDATE cables SET status = coalesce($4, status), version = $2, updated_at = $3 WHERE id = $1', [...touch, STATUS_AFTER[event.type] ?? null]);
      }
    }
  }
}
