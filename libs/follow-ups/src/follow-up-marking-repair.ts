import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, SYSTEM_ACTOR, systemContext } from '@chancery/common';
import { CableReader } from '@chancery/cables';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DataRepair, sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory, EventStore } from '@chancery/event-store';
import { type Classification, CLASSIFICATION_RANK, highestClassification } from '@chancery/identity/domain';
import { type FollowUp, followUpDefinition, TEXT_EVENTS } from './domain/follow-up.aggregate.js';

export const FOLLOW_UP_MARKINGS_REPAIR = 'follow-up-markings';

/** The events that wrote a follow-up's text: its creation (its title and description), and TEXT_EVENTS. */
const WRITING_EVENTS: ReadonlySet<string> = new Set(['FollowUpCreated', ...TEXT_EVENTS]);

/** A follow-up to check, as its row has it: its own marking now, and what it is linked to. */
interface Candidate {
  id: string;
  classification: Classification;
  linked: string[];
}

/**
 * Follow-up text written before a follow-up took the marking of what it is linked to (versions of
 * Chancery that did not raise it at creation, nor by FollowUpClassificationRaised): its title and
 * description, a comment, outcome, reason or edit written while a linked draft stood higher than the
 * follow-up would be read at the follow-up's lower marking once the draft was edited down. Once per
 * database (a DataRepair: in the background from the start of a process that seeds), each such
 * follow-up is raised to the highest marking its links had when its text was written, through the event store as a
 * command would (an event, the read table, an audit entry under `system`).
 */
@Injectable()
export class FollowUpMarkingRepair extends DataRepair<Candidate> {
  private readonly followUps: AggregateRepository<FollowUp>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly store: EventStore,
    private readonly cables: CableReader,
    dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(PROCESS_OPTIONS) process: ProcessOptions,
  ) {
    super(FOLLOW_UP_MARKINGS_REPAIR, dataSource, process);
    this.followUps = repositories.for(followUpDefinition);
  }

  protected describe(candidate: Candidate): string {
    return `Follow-up ${candidate.id}: its marking`;
  }

  protected repaired(count: number): string {
    return `Raised ${count} follow-ups to the marking their text was written under`;
  }

  /** Raises one follow-up if its text was written under a higher linked marking; whether it did. */
  protected async repair(candidate: Candidate): Promise<boolean> {
    const marking = await this.markingWrittenUnder(candidate);
    if (!marking) return false;
    let changed = false;
    await this.followUps.update(
      systemContext(FOLLOW_UP_MARKINGS_REPAIR),
      'RaiseFollowUpClassification',
      candidate.id,
      async (followUp) => {
        const before = followUp.classification;
        followUp.raiseClassificationTo(marking, SYSTEM_ACTOR, this.clock.now().toISOString());
        changed = followUp.classification !== before; // set, not counted: a retry runs this again
      },
      () => undefined,
    );
    return changed;
  }

  /**
   * Follow-ups linked to a cable or a campaign (whose id is its cable's) that stood, in some version,
   * higher than the follow-up stands now: only they may have text written under a higher marking.
   */
  protected async candidates(): Promise<Candidate[]> {
    const rows = await sql<{ id: string; classification: Classification; cable_id: string | null; demarche_id: string | null }>(
      this.dataSource,
      `SELECT f.id::text AS id, f.classification, f.cable_id::text AS cable_id, f.demarche_id::text AS demarche_id FROM follow_ups f
       WHERE EXISTS (SELECT 1 FROM events c
                     WHERE c.stream_id IN ('cable-' || f.cable_id::text, 'cable-' || f.demarche_id::text)
                       AND c.type IN ('CableDrafted', 'CableEdited')
                       AND array_position($1::text[], c.data->'draft'->>'classification') > array_position($1::text[], f.classification))
       ORDER BY f.created_at`,
      [CLASSIFICATION_RANK],
    );
    return rows.map((row) => ({ id: row.id, classification: row.classification, linked: [row.cable_id, row.demarche_id].filter((link): link is string => link !== null) }));
  }

  /** The highest marking its links stood at when its text was written, if above its own now. */
  private async markingWrittenUnder(candidate: Candidate): Promise<Classification | undefined> {
    const written = (await this.store.readStream(this.followUps.streamId(candidate.id))).filter((event) => WRITING_EVENTS.has(event.type));
    const markings: Classification[] = [];
    for (const event of written) {
      for (const cableId of candidate.linked) {
        const marking = await this.cables.classificationAsOf(cableId, event.recordedAt);
        if (marking) markings.push(marking);
      }
    }
    const highest = highestClassification(...markings);
    return highestClassification(candidate.classification, highest) === candidate.classification ? undefined : highest;
  }
}
