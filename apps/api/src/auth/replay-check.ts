import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CableReader } from '@chancery/cables';
import { recordId, ReplayCheck } from '@chancery/http';
import { PolicyService } from '@chancery/identity';
import { type Classification, CLASSIFICATION_RANK, clearanceCovers } from '@chancery/identity/domain';
import { ANSWERS_RECORD, READS_RECORD, SHOWS_UNDER } from './access.decorators.js';

/**
 * An Idempotency-Key replay answers what the first request answered: a record as its caller could
 * read it then. It is given again only to a caller who stands as they stood then (their roles,
 * office, post and clearance: a caller moved or cleared lower since is refused, whatever the answer
 * holds), and who may read it now: the guard has checked a record the route names; a record the
 * route created (`AnswersRecord`) is checked here as a GET of it would be; and the answer itself is
 * checked under the caller's clearance now (a record marked down since, whose old answer carries the
 * old marking). A refusal is audited and says nothing, like any other; a replay of classified
 * content is audited as a read of it.
 */
@Injectable()
export class ClearanceReplayCheck extends ReplayCheck {
  constructor(
    private readonly policy: PolicyService,
    private readonly reflector: Reflector,
    private readonly cables: CableReader,
  ) {
    super();
  }

  standing(context: ExecutionContext): string | null {
    const principal = context.switchToHttp().getRequest<Request>().principal;
    return principal ? JSON.stringify({ roles: [...principal.roles].sort(), office: principal.office, post: principal.postCode, clearance: principal.clearance }) : null;
  }

  async mayReplay(context: ExecutionContext, answer: unknown, standingThen: string | null): Promise<void> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = request.principal;
    if (!principal) return;
    const shown = answer !== null && typeof answer === 'object' ? (answer as { id?: unknown; version?: unknown; classification?: unknown; clearances?: unknown }) : {};
    const targets = [context.getHandler(), context.getClass()];
    const kind = this.reflector.getAllAndOverride<string | undefined>(READS_RECORD, targets);
    const created = this.reflector.getAllAndOverride<string | undefined>(ANSWERS_RECORD, targets);
    const streamKind = kind ?? created;
    const streamId = streamKind && typeof shown.id === 'string' ? `${streamKind}-${shown.id}` : undefined;
    const requestId = String(request.id);
    const denial = { requestId, action: `replay ${request.method} ${request.path}`, ...(streamId ? { streamId } : {}) };
    if (created && typeof shown.id === 'string') await this.policy.requireReadableRecord(principal, created, shown.id, denial);
    const marked = CLASSIFICATION_RANK.includes(shown.classification as Classification) ? (shown.classification as Classification) : undefined;
    if (marked) {
      await this.policy.requireRecord(
        principal,
        clearanceCovers(principal.clearance, marked)
          ? { allowed: true }
          : { allowed: false, reason: `the answer replayed is ${marked}, above ${principal.username}'s ${principal.clearance} clearance` },
        denial,
      );
      // A cable's answer also shows comments, reasons and edits written under earlier markings.
      if (typeof shown.id === 'string' && typeof shown.version === 'number' && Array.isArray(shown.clearances)) {
        await this.policy.requireRecord(principal, await this.cables.mayReplay(principal, shown as Parameters<CableReader['mayReplay']>[1]), denial);
      }
    }
    // Whatever else it holds (another post's reporting cables, a post's delivery it no longer works).
    if (standingThen !== null && standingThen !== this.standing(context)) {
      await this.policy.requireRecord(principal, { allowed: false, reason: `${principal.username}'s roles, office, post or clearance changed since the answer was given` }, denial);
    }
    if (marked && streamKind && streamId) {
      await this.policy.auditRead(principal, { requestId, streamId, streamType: streamKind, view: 'replayed answer', classification: marked, ...(typeof shown.version === 'number' ? { version: shown.version } : {}) });
      return;
    }
    // An answer without its own marking (a delivery) shows what the route's record holds: a read of
    // that record (the campaign), at its marking as the guard read it, as a GET of it is audited.
    const under = this.reflector.getAllAndOverride<string | undefined>(SHOWS_UNDER, targets);
    const routeId = recordId(request.params.id);
    if (!marked && kind === 'cable' && under && routeId) {
      const access = await this.cables.accessInRequest(principal, routeId);
      if (access) await this.policy.auditRead(principal, { requestId, streamId: `${under}-${routeId}`, streamType: under, view: 'replayed answer', classification: access.classification });
    }
  }
}
