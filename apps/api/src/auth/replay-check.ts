import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CableReader } from '@chancery/cables';
import { ReplayCheck } from '@chancery/http';
import { PolicyService } from '@chancery/identity';
import { type Classification, CLASSIFICATION_RANK, clearanceCovers } from '@chancery/identity/domain';
import { READS_RECORD } from './access.decorators.js';

/**
 * An Idempotency-Key replay answers what the first request answered: a record as its caller could
 * read it then. The guard has checked the record as it is now; this checks the answer itself, under
 * the caller's clearance now (a caller cleared lower since, or a record marked down since, whose old
 * answer carries the old marking). A refusal is audited and says nothing, like any other; a replay
 * of classified content is audited as a read of it.
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

  async mayReplay(context: ExecutionContext, answer: unknown): Promise<void> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = request.principal;
    const shown = answer !== null && typeof answer === 'object' ? (answer as { id?: unknown; version?: unknown; classification?: unknown; clearances?: unknown }) : {};
    if (!principal || !CLASSIFICATION_RANK.includes(shown.classification as Classification)) return;
    const classification = shown.classification as Classification;
    const kind = this.reflector.getAllAndOverride<string | undefined>(READS_RECORD, [context.getHandler(), context.getClass()]);
    const streamId = kind && typeof shown.id === 'string' ? `${kind}-${shown.id}` : undefined;
    const requestId = String(request.id);
    const denial = { requestId, action: `replay ${request.method} ${request.path}`, ...(streamId ? { streamId } : {}) };
    await this.policy.requireRecord(
      principal,
      clearanceCovers(principal.clearance, classification)
        ? { allowed: true }
        : { allowed: false, reason: `the answer replayed is ${classification}, above ${principal.username}'s ${principal.clearance} clearance` },
      denial,
    );
    // A cable's answer also shows comments, reasons and edits written under earlier markings.
    if (typeof shown.id === 'string' && typeof shown.version === 'number' && Array.isArray(shown.clearances)) {
      await this.policy.requireRecord(principal, await this.cables.mayReplay(principal, shown as Parameters<CableReader['mayReplay']>[1]), denial);
    }
    if (kind && streamId) {
      await this.policy.auditRead(principal, { requestId, streamId, streamType: kind, view: 'replayed answer', classification, ...(typeof shown.version === 'number' ? { version: shown.version } : {}) });
    }
  }
}
