import { Injectable } from '@nestjs/common';
import { AuditLog } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import type { Classification, Principal } from './domain/access.js';
import { highestClassification } from './domain/need-to-know.js';
import { type Decision, hasPermission, mayActForPost, type Permission } from './domain/policy.js';

export interface DenialContext {
  requestId: string;
  /** What was asked for, for the audit entry: "POST /users", "read cable 26 STATE 000123". */
  action: string;
  streamId?: string;
}

/** What was read, for the audit entry of a read of classified content. */
export interface ReadRecord {
  requestId: string;
  streamId: string;
  streamType: string;
  /** cable, telegram, history, campaign, delivery BEIJING, export, follow-up, … */
  view: string;
  /** The highest classification the answer carries (now and, for a past version, then). */
  classification: Classification;
  version?: number;
  details?: Record<string, unknown>;
}

/**
 * Finds whether a record may be read, by kind and id, before anything else about the request is
 * looked at (If-Match, Idempotency-Key): each domain registers how to decide for its records.
 * Answers undefined when there is no such record (the route then answers 404 itself).
 */
export type RecordReadCheck = (principal: Principal, id: string) => Promise<Decision | undefined>;

const READ_ACTIONS: Record<string, string> = { cable: 'ReadCable', campaign: 'ReadCampaign', followup: 'ReadFollowUp' };

/** What every 403 about a record says: nothing of its classification, captions or status. */
export const NOT_ALLOWED = 'Not allowed.';

/**
 * The one place that answers "may this user do X to this resource". Routes and queries ask it;
 * every denial is written to the audit log before it is answered with 403, and every read of
 * classified content is written to it too.
 */
@Injectable()
export class PolicyService {
  private readonly records = new Map<string, RecordReadCheck>();
  /** Denials already written to the audit log, so that `auditingDenials` does not write them twice. */
  private readonly audited = new WeakSet<Error>();
  private readonly reasons = new WeakMap<Error, string>();

  constructor(private readonly audit: AuditLog) {}

  async requirePermission(principal: Principal, permission: Permission, context: DenialContext): Promise<void> {
    await this.require(principal, hasPermission(principal, permission), context);
  }

  async requirePost(principal: Principal, postCode: string, context: DenialContext): Promise<void> {
    await this.require(principal, mayActForPost(principal, postCode), context);
  }

  /**
   * A decision about a record (to read it, or to act on it): a denial is audited with its reason
   * and answered with a 403 that gives none, so that it says nothing about what the caller may not see.
   */
  async requireRecord(principal: Principal, decision: Decision, context: DenialContext): Promise<void> {
    if (decision.allowed) return;
    await this.denied(principal, decision.reason, context);
    const error = new ChanceryError(ErrorCode.Forbidden, NOT_ALLOWED);
    this.audited.add(error);
    throw error;
  }

  /**
   * The 403 a command throws from inside its transaction when the caller may not read the record
   * it acts on (as loaded there); `auditingDenials` audits it with the reason the answer leaves out.
   */
  recordDenial(decision: Decision): ChanceryError | undefined {
    if (decision.allowed) return undefined;
    const error = new ChanceryError(ErrorCode.Forbidden, NOT_ALLOWED);
    this.reasons.set(error, decision.reason);
    return error;
  }

  /** Lets a domain say how its records of `kind` are checked (see `RecordReadCheck`). */
  registerRecords(kind: string, check: RecordReadCheck): void {
    this.records.set(kind, check);
  }

  /** The read check for a record named by a route, run by the guard before interceptors and pipes. */
  async requireReadableRecord(principal: Principal, kind: string, id: string, context: DenialContext): Promise<void> {
    const check = this.records.get(kind);
    if (!check) throw new Error(`No read check registered for ${kind} records`);
    const decision = await check(principal, id);
    if (decision) await this.requireRecord(principal, decision, context);
  }

  /** Writes a read of classified content (CONFIDENTIAL and above) to the audit log. */
  async auditRead(principal: Principal, read: ReadRecord): Promise<void> {
    if (read.classification === 'UNCLASSIFIED' || read.classification === 'SBU') return;
    await this.audit.append({
      actorId: principal.id,
      actorRole: principal.roles.join('+'),
      action: READ_ACTIONS[read.streamType] ?? 'ReadClassified',
      streamId: read.streamId,
      streamType: read.streamType,
      toVersion: read.version,
      requestId: read.requestId,
      details: { view: read.view, classification: read.classification, ...read.details },
    });
  }

  /**
   * Writes one audit entry for a list, search, export, inbox or dashboard answer that shows
   * classified records (CONFIDENTIAL and above): which ones, the highest classification shown, and
   * which part of the view was read when it has parts (`section`: one section of the inbox).
   */
  async auditListRead(principal: Principal, read: { requestId: string; view: string; section?: string; records: { streamId: string; classification: string }[] }): Promise<void> {
    const classified = read.records.filter((r) => r.classification !== 'UNCLASSIFIED' && r.classification !== 'SBU');
    if (classified.length === 0) return;
    const highest = highestClassification(...classified.map((r) => r.classification as Classification));
    await this.audit.append({
      actorId: principal.id,
      actorRole: principal.roles.join('+'),
      action: 'ReadClassifiedList',
      requestId: read.requestId,
      details: { view: read.view, ...(read.section === undefined ? {} : { section: read.section }), classification: highest, records: classified.map((r) => r.streamId) },
    });
  }

  /**
   * Runs `work`; a FORBIDDEN it throws (a domain rule about who may act, decided inside an
   * aggregate) is audited like any other denial before it goes on to become a 403.
   */
  async auditingDenials<T>(principal: Pick<Principal, 'id' | 'roles'>, context: DenialContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.auditRefusal(principal, error, context);
      throw error;
    }
  }

  /** Audits `error` if it is a FORBIDDEN not audited yet (once, whoever sees it next). */
  async auditRefusal(principal: Pick<Principal, 'id' | 'roles'>, error: unknown, context: DenialContext): Promise<void> {
    if (!(error instanceof ChanceryError) || error.code !== ErrorCode.Forbidden || this.audited.has(error)) return;
    this.audited.add(error);
    await this.denied(principal, this.reasons.get(error) ?? error.message, context);
  }

  /** Audits a denial decided elsewhere (a domain rule about who may act) and passes it on. */
  async denied(principal: Pick<Principal, 'id' | 'roles'>, reason: string, context: DenialContext): Promise<void> {
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
