import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, SYSTEM_ACTOR, systemContext } from '@chancery/common';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DataRepair, sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type FollowUp, followUpDefinition } from './domain/follow-up.aggregate.js';

export const FOLLOW_UP_DRAFT_TEXT_REPAIR = 'follow-up-draft-text';

/** A follow-up created while `cableId`, its linked cable, was unreleased. */
interface Candidate {
  id: string;
  cableId: string;
}

/**
 * Follow-ups created, by versions of Chancery that did not record it (`FollowUpCreated`'s
 * `writtenUnderDraft`), while a cable they are linked to was unreleased: their text is the working
 * party's deliberation, and was read by the posts the cable went to once it was released. Once per
 * database (a DataRepair: in the background from the start of a process that seeds), each is
 * recorded as written under a draft (`FollowUpWrittenUnderDraft`) through the event store as a
 * command would (an event, the read table, an audit entry under `system`), so that it is read as an
 * unreleased cable is from then on.
 */
@Injectable()
export class FollowUpDraftTextRepair extends DataRepair<Candidate> {
  private readonly followUps: AggregateRepository<FollowUp>;

  constructor(
    repositories: AggregateRepositoryFactory,
    dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(PROCESS_OPTIONS) process: ProcessOptions,
  ) {
    super(FOLLOW_UP_DRAFT_TEXT_REPAIR, dataSource, process);
    this.followUps = repositories.for(followUpDefinition);
  }

  protected describe(candidate: Candidate): string {
    return `Follow-up ${candidate.id}: whether it was written under a draft`;
  }

  protected repaired(count: number): string {
    return `Recorded ${count} follow-ups as written under a draft: they are read as the draft was`;
  }

  protected async repair(candidate: Candidate): Promise<boolean> {
    let changed = false;
    await this.followUps.update(
      systemContext(FOLLOW_UP_DRAFT_TEXT_REPAIR),
      'RecordFollowUpWrittenUnderDraft',
      candidate.id,
      async (followUp) => {
        changed = !followUp.writtenUnderDraft; // set, not counted: a retry runs this again
        followUp.markWrittenUnderDraft(candidate.cableId, SYSTEM_ACTOR, this.clock.now().toISOString());
      },
      () => undefined,
    );
    return changed;
  }

  /**
   * Follow-ups not recorded as written under a draft, created before their linked cable was
   * released, or linked to one never released (a campaign link was always released). Their links never change, so their creation is
   * the only time text was written while a linked cable was unreleased. A creation that read the
   * release follows it in the event log (its position is later).
   */
  protected async candidates(): Promise<Candidate[]> {
    const rows = await sql<{ id: string; cable_id: string }>(
      this.dataSource,
      `SELECT f.id::text AS id, k.id::text AS cable_id FROM follow_ups f
       JOIN events created ON created.stream_id = 'followup-' || f.id::text AND created.stream_version = 1
       JOIN cables k ON k.id = f.cable_id
       WHERE NOT f.written_under_draft
         AND NOT EXISTS (SELECT 1 FROM events released
                         WHERE released.stream_id = 'cable-' || k.id::text AND released.type = 'CableReleased' AND released.global_position < created.global_position)
       ORDER BY f.created_at`,
    );
    return rows.map((row) => ({ id: row.id, cableId: row.cable_id }));
  }
}
