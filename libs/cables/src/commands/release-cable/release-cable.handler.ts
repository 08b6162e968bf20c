import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { dateTimeGroup, formatMrn } from '../../domain/cable-format.js';
import { renderTelegram, signatureOf } from '../../domain/telegram.js';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { ReleaseCableCommand } from './release-cable.command.js';

/** Advisory-lock namespace of an originator's releases ("MRNS"); the key is hashtext(originator). */
const MRN_LOCK_NAMESPACE = 0x4d524e53;

/**
 * Release: the next serial of the originator's year, taken in the release's own transaction from a
 * locked counter row (so concurrent releases queue, and a failed one gives its number back: no
 * gaps), the date-time group, the distribution with collectives expanded as they stand now, and
 * the telegram as it goes out.
 */
@CommandHandler(ReleaseCableCommand)
export class ReleaseCableHandler extends CableHandler implements ICommandHandler<ReleaseCableCommand, CableAnswer> {
  execute({ context, actor, cableId }: ReleaseCableCommand): Promise<CableAnswer> {
    return this.act(context, 'ReleaseCable', actor, cableId, async (cable, tx) => {
      if (cable.status !== 'APPROVED') throw new ChanceryError(ErrorCode.InvalidTransition, `The cable is ${cable.status}; it cannot be released`);
      const conditions = await this.stepConditions(cable, tx);
      // The originator's releases queue first, and each takes its instant once its turn has come:
      // serials follow release times (taken before the queue, a later serial could carry an earlier DTG).
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MRN_LOCK_NAMESPACE, cable.origin]);
      const now = this.clock.now();
      const serial = await this.nextSerial(tx, cable.origin, now.getUTCFullYear());
      const release = {
        mrn: formatMrn(now.getUTCFullYear(), cable.origin, serial),
        releasedAt: now.toISOString(),
        dateTimeGroup: dateTimeGroup(now),
        distribution: conditions.distribution,
      };
      // The telegram as it goes out, recorded with the release: nothing that changes later (a post
      // renamed, an officer's name, the format itself) changes a telegram already sent.
      const directory = await this.world.telegramDirectory(cable, undefined, tx);
      cable.releaseAs(actor, release, conditions, (order) => renderTelegram(cable, directory, signatureOf(cable), order));
    });
  }

  private async nextSerial(tx: EntityManager, originator: string, year: number): Promise<number> {
    const [row] = await tx.query(
      `INSERT INTO mrn_serials (originator, year, last_serial) VALUES ($1, $2, 1)
       ON CONFLICT (originator, year) DO UPDATE SET last_serial = mrn_serials.last_serial + 1
       RETURNING last_serial`,
      [originator, year],
    );
    return row.last_serial as number;
  }
}
