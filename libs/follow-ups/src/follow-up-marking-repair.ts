import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, SYSTEM_ACTOR, systemContext } from '@chancery/common';
import { CableReader } from '@chancery/cables';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { sql } from '@chancery/database';
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
 * database, in the background from the start of a process that seeds, each such follow-up is raised
 * to the highest marking its links had when its text was written, through the event store as a
 * command would (an event, the read table, an audit entry under `system`).
 */
@Injectable()
export class FollowUpMarkingRepair implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FollowUpMarkingRepair.name);
  private readonly followUps: AggregateRepository<FollowUp>;
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly store: EventStore,
    private readonly cables: CableReader,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(PROCESS_OPTIONS) private readonly process: ProcessOptions,
  ) {
    this.followUps = repositories.for(followUpDefinition);
  }

  /** Started, not awaited: the server answers meanwhile (the scan of a large database takes a while). */
  onApplicationBootstrap(): void {
    if (!this.process.seedData) return;
    this.running = this.run().catch((error: unknown) => {
      this.logger.error({ err: error }, 'The follow-up markings repair failed; it runs again at the next start');
      return 0;
    });
  }

  /** A repair under way finishes the follow-up it is at, and stops; the rest waits for the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** The run that the start began, once it is over. */
  whenDone(): Promise<number> {
    return this.running;
  }

  /**
   * Runs the repair unless it ran already; answers how many follow-ups it raised. A follow-up that
   * could not be repaired is logged and left for the next start (the repair is not recorded done);
   * the start goes on.
   */
  async run(): Promise<number> {
    const [done] = await sql(this.dataSource, 'SELECT 1 FROM data_repairs WHERE name = $1', [FOLLOW_UP_MARKINGS_REPAIR]);
    if (done) return 0;
    let raised = 0;
    let failed = 0;
    for (const candidate of await this.candidates()) {
      if (this.stopping) return raised;
      try {
        if (await this.repair(candidate)) raised++;
      } catch (error) {
        failed++;
        this.logger.error({ err: error }, `Follow-up ${candidate.id}: its marking could not be checked; it will be at the next start`);
      }
    }
    if (failed === 0) {
      // Two processes started at once each raise what the other has not: their counts add up.
      await sql(
        this.dataSource,
        'INSERT INTO data_repairs (name, changed) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET changed = data_repairs.changed + excluded.changed',
        [FOLLOW_UP_MARKINGS_REPAIR, raised],
      );
    }
    if (raised > 0) this.logger.log(`Raised ${raised} follow-ups to the marking their text was written under`);
    return raised;
  }

  /** Raises one follow-up if its text was written under a higher linked marking; whether it did. */
  private async repair(candidate: Candidate): Promise<boolean> {
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
  private async candidates(): Promise<Candidate[]> {
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
