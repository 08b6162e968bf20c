import { ChanceryError, ensure, ensureCalendarDate, ErrorCode, showsText } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import { type Classification, highestClassification, isFollowUpOwner, OFFICE_PATTERN, type Principal } from '@chancery/identity/domain';

export type Owner = { office: string; post?: undefined } | { post: string; office?: undefined };
export type FollowUpStatus = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';

/** Still to be done: open or in progress. */
export function isOpen(status: string): boolean {
  return status === 'OPEN' || status === 'IN_PROGRESS';
}

/** Overdue: still to be done after its due date. */
export function isFollowUpOverdue(status: string, dueOn: string, today: string): boolean {
  return isOpen(status) && dueOn < today;
}

export interface Links {
  demarcheId: string | null;
  post: string | null;
  cableId: string | null;
  /** The number of the post's response it was opened from (with demarcheId and post); absent in older events. */
  response?: number | null;
}

export interface Person {
  id: string;
  username: string;
}

type At = { at: string };
export type FollowUpEvent =
  // `classification` is its own (absent in events from before it existed: UNCLASSIFIED); it is also
  // read under what it is linked to.
  // `writtenUnderDraft`: created while its linked cable was unreleased (absent: it was not, or
  // it predates the rule, and FollowUpWrittenUnderDraft records it).
  | DomainEvent<'FollowUpCreated', { title: string; description: string; owner: Owner; ownerBureau: string; dueOn: string; links: Links; createdBy: Person; classification?: Classification; writtenUnderDraft?: true } & At>
  | DomainEvent<'FollowUpEdited', { title: string; description: string; by: Person } & At>
  | DomainEvent<'FollowUpReassigned', { owner: Owner; ownerBureau: string; by: Person } & At>
  | DomainEvent<'FollowUpDueDateChanged', { dueOn: string; previous: string; by: Person } & At>
  | DomainEvent<'FollowUpStarted', { by: Person } & At>
  | DomainEvent<'FollowUpCompleted', { outcome: string; by: Person } & At>
  | DomainEvent<'FollowUpCancelled', { reason: string; by: Person } & At>
  | DomainEvent<'FollowUpCommented', { text: string; by: Person } & At>
  // Its own marking raised to that of a record it is linked to, before text was written under it.
  | DomainEvent<'FollowUpClassificationRaised', { classification: Classification; previous: Classification; by: Person } & At>
  // Its text was written while its linked cable was unreleased, recorded after the fact for a
  // follow-up created before FollowUpCreated said so (`writtenUnderDraft`).
  | DomainEvent<'FollowUpWrittenUnderDraft', { cableId: string; by: Person } & At>
  | DomainEvent<'FollowUpBecameOverdue', { dueOn: string } & At>
  | DomainEvent<'FollowUpEscalated', { to: string } & At>
  // The escalation bureau (or the owner) acted on an escalated follow-up: a new owner or due date. It
  // leaves the bureau's inbox, and escalates again if it falls overdue again.
  | DomainEvent<'FollowUpEscalationResolved', { by: Person } & At>;

type Of<T extends FollowUpEvent['type']> = Extract<FollowUpEvent, { type: T }>;

/** The events that record text of the follow-up's own: what it is raised for (raiseClassificationTo). */
export const TEXT_EVENTS = ['FollowUpEdited', 'FollowUpCompleted', 'FollowUpCancelled', 'FollowUpCommented'] as const satisfies readonly FollowUpEvent['type'][];

const POST = /^[A-Z]{3,24}$/;
const person = (p: Principal): Person => ({ id: p.id, username: p.username });

export function validOwner(owner: Owner): boolean {
  return owner.office !== undefined ? OFFICE_PATTERN.test(owner.office) : POST.test(owner.post);
}

/** The bureau an office belongs to: its first segment (EAP/CM is EAP's). */
export function bureauOfOffice(office: string): string {
  return office.split('/')[0];
}

/** A task that grows out of a campaign or a response: owned by an office or a post, due on a date. */
export class FollowUp extends EventSourcedAggregate<FollowUpEvent> {
  title: string;
  description: string;
  owner: Owner;
  ownerBureau: string;
  dueOn: string;
  links: Links;
  createdBy: Person;
  classification: Classification = 'UNCLASSIFIED';
  status: FollowUpStatus = 'OPEN';
  outcome: string | null = null;
  cancelReason: string | null = null;
  comments: { text: string; by: Person; at: string }[] = [];
  overdueSince: string | null = null;
  escalatedTo: string | null = null;
  writtenUnderDraft = false;

  static create(
    id: string,
    input: { title: string; description: string; owner: Owner; ownerBureau: string; dueOn: string; links: Links; classification?: Classification; writtenUnderDraft?: boolean },
    by: Principal,
    at: string,
    /** The Department's day at `at` (DepartmentCalendar); UTC's when not given. */
    today: string = at.slice(0, 10),
  ): FollowUp {
    ensure(showsText(input.title), 'title', 'a follow-up needs a title');
    ensure(validOwner(input.owner), 'owner', 'owner is an office symbol ({"office": "EAP/CM"}) or a post code ({"post": "BEIJING"})');
    ensureCalendarDate(input.dueOn, 'dueOn');
    ensure(input.dueOn >= today, 'dueOn', 'dueOn cannot be in the past');
    if (input.links.response != null) {
      ensure(input.links.demarcheId !== null && input.links.post !== null, 'response', 'a follow-up from a response names its campaign (demarcheId) and post');
    }
    const { writtenUnderDraft, ...fields } = input;
    const followUp = new FollowUp(id);
    followUp.apply({
      type: 'FollowUpCreated',
      data: {
        ...fields,
        title: input.title.trim(),
        description: input.description.trim(),
        classification: input.classification ?? 'UNCLASSIFIED',
        ...(writtenUnderDraft ? { writtenUnderDraft } : {}),
        createdBy: person(by),
        at,
      },
    });
    return followUp;
  }

  /**
   * The escalation bureau's leadership (leadership whose office is the bureau it escalated to) may
   * give an escalated follow-up a new owner or due date, and nothing else.
   */
  mayActOnEscalation(principal: Principal): boolean {
    return this.escalatedTo !== null && principal.roles.includes('leadership') && principal.office === this.escalatedTo;
  }

  /** Its owners (the office's working people, or the post's officers) and its creator may change it. */
  mayChange(principal: Principal): boolean {
    return isFollowUpOwner(principal, { createdBy: this.createdBy.id, owner: this.owner });
  }

  edit(by: Principal, changes: { title?: string; description?: string }, at: string): void {
    this.mustBeOpen('edited');
    const { title, description } = this.edited(changes);
    ensure(showsText(title), 'title', 'a follow-up needs a title');
    if (this.changesText(changes)) this.apply({ type: 'FollowUpEdited', data: { title, description, by: person(by), at } });
  }

  /** Whether an edit of `changes` would record a new title or description (the same text, trimmed, would not). */
  changesText(changes: { title?: string; description?: string }): boolean {
    const { title, description } = this.edited(changes);
    return title !== this.title || description !== this.description;
  }

  private edited(changes: { title?: string; description?: string }): { title: string; description: string } {
    return { title: changes.title?.trim() ?? this.title, description: changes.description?.trim() ?? this.description };
  }

  /**
   * A new owner. One past its due date is handed over with a new one (`dueOn`, today or later): it
   * would otherwise be overdue for its new owner the moment they got it, and escalate straight back.
   */
  reassign(by: Principal, owner: Owner, ownerBureau: string, at: string, dueOn?: string, today: string = at.slice(0, 10)): void {
    this.mustBeOpen('reassigned');
    ensure(validOwner(owner), 'owner', 'owner is an office symbol or a post code');
    if (JSON.stringify(owner) === JSON.stringify(this.owner)) return;
    // An overdue follow-up handed on with no due date, or with one already past (the date it had,
    // sent back as read), would be overdue at its new owner at once and escalate straight back.
    ensure(!isFollowUpOverdue(this.status, this.dueOn, today) || (dueOn !== undefined && dueOn >= today), 'dueOn', `it was due on ${this.dueOn}: give its new owner a due date, today or later, with it`);
    this.apply({ type: 'FollowUpReassigned', data: { owner, ownerBureau, by: person(by), at } });
    this.resolveEscalation(by, at);
  }

  changeDueDate(by: Principal, dueOn: string, at: string, today: string = at.slice(0, 10)): void {
    this.mustBeOpen('given a new due date');
    ensureCalendarDate(dueOn, 'dueOn');
    if (dueOn === this.dueOn) return;
    ensure(dueOn >= today, 'dueOn', 'a new due date cannot be in the past');
    this.apply({ type: 'FollowUpDueDateChanged', data: { dueOn, previous: this.dueOn, by: person(by), at } });
    this.resolveEscalation(by, at);
  }

  private resolveEscalation(by: Principal, at: string): void {
    if (this.escalatedTo !== null) this.apply({ type: 'FollowUpEscalationResolved', data: { by: person(by), at } });
  }

  start(by: Principal, at: string): void {
    if (this.status !== 'OPEN') this.refuse('started');
    this.apply({ type: 'FollowUpStarted', data: { by: person(by), at } });
  }

  complete(by: Principal, outcome: string, at: string): void {
    this.mustBeOpen('completed');
    ensure(showsText(outcome), 'outcome', 'say what came of it');
    this.apply({ type: 'FollowUpCompleted', data: { outcome: outcome.trim(), by: person(by), at } });
  }

  cancel(by: Principal, reason: string, at: string): void {
    this.mustBeOpen('cancelled');
    ensure(showsText(reason), 'reason', 'say why it is cancelled');
    this.apply({ type: 'FollowUpCancelled', data: { reason: reason.trim(), by: person(by), at } });
  }

  comment(by: Principal, text: string, at: string): void {
    ensure(showsText(text), 'text', 'a comment needs text');
    this.apply({ type: 'FollowUpCommented', data: { text: text.trim(), by: person(by), at } });
  }

  /**
   * Text about to be written under a linked record marked higher than the follow-up itself takes
   * that marking with it, for good: otherwise, once the record were edited down, what was written
   * while it stood higher would be read at the lower marking. A marking is never lowered.
   */
  raiseClassificationTo(to: Classification, by: Person, at: string): void {
    if (highestClassification(this.classification, to) === this.classification) return;
    this.apply({ type: 'FollowUpClassificationRaised', data: { classification: to, previous: this.classification, by: { id: by.id, username: by.username }, at } });
  }

  /**
   * Its text was written while `cableId`, its linked cable, was unreleased: the working party's
   * deliberation. It is read from then on as an unreleased cable is (`asUnreleased`), so the posts the
   * cable went to on release do not read it. Its links never change, so only its creation can find a
   * linked cable unreleased (`create`'s `writtenUnderDraft`); this records it for one created before
   * that was recorded. Once: it is never undone.
   */
  markWrittenUnderDraft(cableId: string, by: Person, at: string): void {
    if (this.writtenUnderDraft) return;
    this.apply({ type: 'FollowUpWrittenUnderDraft', data: { cableId, by: { id: by.id, username: by.username }, at } });
  }

  /** Once past its due date (the Department's `today` at `now`) and not done: overdue, and escalated to the owner's bureau. Once. */
  markOverdue(now: string, today: string = now.slice(0, 10)): void {
    if (this.overdueSince || !isFollowUpOverdue(this.status, this.dueOn, today)) return;
    this.apply({ type: 'FollowUpBecameOverdue', data: { dueOn: this.dueOn, at: now } });
    this.apply({ type: 'FollowUpEscalated', data: { to: this.ownerBureau, at: now } });
  }

  onFollowUpCreated(event: Of<'FollowUpCreated'>): void {
    Object.assign(this, {
      title: event.data.title,
      description: event.data.description,
      owner: event.data.owner,
      ownerBureau: event.data.ownerBureau,
      dueOn: event.data.dueOn,
      links: event.data.links,
      createdBy: event.data.createdBy,
      classification: event.data.classification ?? 'UNCLASSIFIED',
      writtenUnderDraft: event.data.writtenUnderDraft === true,
    });
  }

  onFollowUpEdited(event: Of<'FollowUpEdited'>): void {
    this.title = event.data.title;
    this.description = event.data.description;
  }

  onFollowUpReassigned(event: Of<'FollowUpReassigned'>): void {
    this.owner = event.data.owner;
    this.ownerBureau = event.data.ownerBureau;
  }

  onFollowUpDueDateChanged(event: Of<'FollowUpDueDateChanged'>): void {
    this.dueOn = event.data.dueOn;
    this.overdueSince = null; // a new date: it may fall due again
  }

  onFollowUpStarted(): void {
    this.status = 'IN_PROGRESS';
  }

  onFollowUpCompleted(event: Of<'FollowUpCompleted'>): void {
    this.status = 'DONE';
    this.outcome = event.data.outcome;
  }

  onFollowUpCancelled(event: Of<'FollowUpCancelled'>): void {
    this.status = 'CANCELLED';
    this.cancelReason = event.data.reason;
  }

  onFollowUpCommented(event: Of<'FollowUpCommented'>): void {
    this.comments = [...this.comments, { text: event.data.text, by: event.data.by, at: event.data.at }];
  }

  onFollowUpClassificationRaised(event: Of<'FollowUpClassificationRaised'>): void {
    this.classification = event.data.classification;
  }

  onFollowUpWrittenUnderDraft(): void {
    this.writtenUnderDraft = true;
  }

  onFollowUpBecameOverdue(event: Of<'FollowUpBecameOverdue'>): void {
    this.overdueSince = event.data.at;
  }

  onFollowUpEscalated(event: Of<'FollowUpEscalated'>): void {
    this.escalatedTo = event.data.to;
  }

  onFollowUpEscalationResolved(): void {
    this.escalatedTo = null;
    this.overdueSince = null; // overdue again later: escalated again, to the owner's bureau then
  }

  private mustBeOpen(verb: string): void {
    if (this.status !== 'OPEN' && this.status !== 'IN_PROGRESS') this.refuse(verb);
  }

  private refuse(verb: string): never {
    throw new ChanceryError(ErrorCode.InvalidTransition, `The follow-up is ${this.status}; it cannot be ${verb}`, { status: this.status });
  }
}

export const followUpDefinition: AggregateDefinition<FollowUp> = {
  streamType: 'followup',
  schemaVersions: {
    FollowUpCreated: 1,
    FollowUpEdited: 1,
    FollowUpReassigned: 1,
    FollowUpDueDateChanged: 1,
    FollowUpStarted: 1,
    FollowUpCompleted: 1,
    FollowUpCancelled: 1,
    FollowUpCommented: 1,
    FollowUpClassificationRaised: 1,
    FollowUpWrittenUnderDraft: 1,
    FollowUpBecameOverdue: 1,
    FollowUpEscalated: 1,
    FollowUpEscalationResolved: 1,
  },
  blank: (id) => new FollowUp(id),
};
