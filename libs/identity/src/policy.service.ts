import { Injectable } from '@nestjs/common';
import { AuditLog } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import type { Principal } from './domain/access.js';
import { type Decision, hasPermission, mayActForPost, mayRead, type Permission, type ReadableResource } from './domain/policy.js';

export interface DenialContext {
  requestId: string;
  /** What was asked for, for the audit entry: "POST /users", "read cable 26 STATE 000123". */
  action: string;
  streamId?: string;
}

/**
 * The one place that answers "may this user do X to this resource". Routes and queries ask it;
 * every denial is written to the audit log before it is answered with 403.
 */
@Injectable()
export class PolicyService {
  constructor(private readonly audit: AuditLog) {}

  async requirePermission(principal: Principal, permission: Permission, context: DenialContext): Promise<void> {
    await this.require(principal, hasPermission(principal, permission), context);
  }

  async requirePost(principal: Principal, postCode: string, context: DenialContext): Promise<void> {
    await this.require(principal, mayActForPost(principal, postCode), context);
  }

  async requireRead(principal: Principal, resource: ReadableResource, context: DenialContext): Promise<void> {
    await this.require(principal, mayRead(principal, resource), context);
  }

  /** For lists and searches: what the principal may read, silently leaving the rest out. */
  readable<T>(principal: Principal, items: T[], describe: (item: T) => ReadableResource): T[] {
    return items.filter((item) => mayRead(principal, describe(item)).allowed);
  }

  /**
   * Runs `work`; a FORBIDDEN it throws (a domain rule about who may act, decided inside an
   * aggregate) is audited like any other denial before it goes on to become a 403.
   */
  async auditingDenials<T>(principal: Principal, context: DenialContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ChanceryError && error.code === ErrorCode.Forbidden) await this.denied(principal, error.message, context);
      throw error;
    }
  }

  /** Audits a denial decided elsewhere (a domain rule about who may act) and passes it on. */
  async denied(principal: Principal, reason: string, context: DenialContext): Promise<void> {
    await this.audit.append({
      actorId: principal.id,
      actorRole: principal.roles.join('+'),
      action: 'AccessDenied',
      streamId: context.streamId,
      requestId: context.requestId,
      details: { attempted: context.action, reason },
    });
  }

  private async require(principal: Principal, decision: Decision, context: DenialContext): Promise<void> {
    if (decision.allowed) return;
    await this.denied(principal, decision.reason, context);
    throw new ChanceryError(ErrorCode.Forbidden, `Not allowed: ${decision.reason}`);
  }
}
