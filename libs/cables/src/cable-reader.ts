import { Injectable } from '@nestjs/common';
import { AuditLog } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory, EventStore, type LoadOptions } from '@chancery/event-store';
import { PolicyService } from '@chancery/identity';
import type { Principal, ReadableResource } from '@chancery/identity/domain';
import { CableWorld } from './cable-world.js';
import { toCableView } from './cable-view.js';
import { Cable, cableDefinition, DEPARTMENT } from './domain/cable.aggregate.js';
import { isClassified } from './domain/cable-format.js';
import { renderTelegram } from './domain/telegram.js';

/** The Secretary's surname signs Department cables. */
export const DEPARTMENT_SIGNATURE = 'RUBIO';

export function readableOf(cable: Cable): ReadableResource {
  const posts = cable.release ? [...cable.release.distribution.action, ...cable.release.distribution.info] : [];
  return {
    classification: cable.draft.classification,
    captions: cable.draft.captions,
    workingParty: cable.workingParty,
    addressedPosts: cable.origin === DEPARTMENT ? posts : [...posts, cable.origin],
  };
}

/**
 * Every read of a single cable goes through here: the policy decides (a denial is audited), and a
 * read of anything CONFIDENTIAL or above is written to the audit log.
 */
@Injectable()
export class CableReader {
  private readonly cables: AggregateRepository<Cable>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly store: EventStore,
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
    private readonly world: CableWorld,
  ) {
    this.cables = repositories.for(cableDefinition);
  }

  async get(principal: Principal, id: string, at: LoadOptions, requestId: string) {
    const cable = await this.authorized(principal, id, at, requestId, 'cable');
    return toCableView(cable);
  }

  async history(principal: Principal, id: string, requestId: string) {
    await this.authorized(principal, id, {}, requestId, 'history');
    const events = await this.store.readStream(this.cables.streamId(id));
    const items = events.map((event) => ({
      version: event.streamVersion,
      type: event.type,
      at: event.recordedAt.toISOString(),
      actor: event.metadata.actorId ?? null,
      data: event.data,
    }));
    return { items, total: items.length };
  }

  async telegram(principal: Principal, id: string, at: LoadOptions, requestId: string): Promise<string> {
    const cable = await this.authorized(principal, id, at, requestId, 'telegram');
    const directory = await this.world.telegramDirectory(cable);
    const signature = cable.origin === DEPARTMENT ? DEPARTMENT_SIGNATURE : (cable.approvedBy?.username ?? cable.origin);
    return renderTelegram(cable, directory, signature);
  }

  private async authorized(principal: Principal, id: string, at: LoadOptions, requestId: string, view: string): Promise<Cable> {
    // Access is decided on the cable as it stands now, whatever point in its past is asked for.
    const current = await this.cables.load(id);
    if (!current) throw new ChanceryError(ErrorCode.NotFound, `No cable ${id}`);
    await this.policy.requireRead(principal, readableOf(current), { requestId, action: `read cable ${id} (${view})`, streamId: this.cables.streamId(id) });
    const cable = at.version !== undefined || at.asOf !== undefined ? await this.cables.load(id, at) : current;
    if (!cable) throw new ChanceryError(ErrorCode.NotFound, `Cable ${id} did not exist yet at that point`);
    if (isClassified(current.draft.classification)) {
      await this.audit.append({
        actorId: principal.id,
        actorRole: principal.roles.join('+'),
        action: 'ReadCable',
        streamId: this.cables.streamId(id),
        streamType: 'cable',
        toVersion: cable.version,
        requestId,
        details: { view, classification: current.draft.classification, ...(at.version !== undefined ? { version: at.version } : {}), ...(at.asOf ? { asOf: at.asOf.toISOString() } : {}) },
      });
    }
    return cable;
  }
}
