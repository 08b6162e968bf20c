import { ChanceryError, ensure, ErrorCode, showsText } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import { actsAsDrafter, type CableAccess, type Classification, clearanceCovers, hasReleaseAuthority, OFFICE_PATTERN, readingLevel, type Role } from '@chancery/identity/domain';
import { type CableDraft, cableKindsFrom, draftAsMeant, type DraftingWorld, MRN_PATTERN, substanceOf, validateDraft } from './cable-format.js';

/** The Department's originator code; a post's is its own code. */
export const DEPARTMENT = 'STATE';
/** How a post addresses the Department. */
export const SECSTATE = 'SECSTATE';

export type CableStatus = 'DRAFT' | 'IN_CLEARANCE' | 'PENDING_APPROVAL' | 'APPROVED' | 'RELEASED' | 'CANCELLED';
export type ClearanceStatus = 'PENDING' | 'CLEARED' | 'CLEARED_WITH_COMMENTS' | 'NON_CONCUR' | 'STALE';
export type ClearanceDecision = 'CLEARED' | 'CLEARED_WITH_COMMENTS' | 'NON_CONCUR';

export interface CableActor {
  id: string;
  username: string;
  roles: readonly Role[];
  office: string | null;
  postCode: string | null;
}

export interface Officer {
  id: string;
  username: string;
  office: string | null;
}

/**
 * How the cable stood (its markings and status) when a piece of its text outside the draft (a
 * clearance's comments, a return's reason) was written: a reader who may not read that version (a
 * post it went to, for text written while it was a draft; a reader below a marking since edited
 * down) reads the cable without it, as the cable's history withholds the event.
 */
export interface WrittenUnder {
  classification: Classification;
  captions: string[];
  status: CableStatus;
}

export interface Clearance {
  office: string;
  status: ClearanceStatus;
  by: Officer | null;
  at: string | null;
  comments: string | null;
  /** Set with the comments. */
  writtenUnder: WrittenUnder | null;
  /** How many edits the cable had when this office last answered (its `editsSince` are the later ones). */
  afterEdits?: number;
  /**
   * The non-concurrence the office answered before it was asked again (status PENDING since): a
   * withdrawal of the request keeps it for the approver. Gone once the office answers again.
   */
  objection?: { comments: string | null; writtenUnder: WrittenUnder | null };
}

/** A clearance given: the office has cleared the text as it stands (with comments or not). */
const isGiven = (clearance: Clearance) => clearance.status === 'CLEARED' || clearance.status === 'CLEARED_WITH_COMMENTS';

/** Who changed the text, for which office, as what, and which fields. */
export interface Edit {
  by: Officer | null;
  office: string | null;
  as: EditorRole | null;
  fields: string[];
  substantive: boolean;
  at: string;
  /** How the cable stood after the edit: who may read that version may see who changed what. */
  writtenUnder: WrittenUnder;
}

export type EditorRole = 'drafter' | 'clearer' | 'approver';

/** A return by the approver: why, by whom, when. */
export interface Return {
  reason: string;
  by: Officer;
  at: string;
  writtenUnder: WrittenUnder;
}

/** A clearance request the drafter withdrew, and where it stood then. */
export interface Withdrawal {
  office: string;
  status: ClearanceStatus;
  comments: string | null;
  by: Officer;
  at: string;
  /** Where the withdrawn office's comments were written. */
  writtenUnder: WrittenUnder;
}

/** An office whose clearance the submit rules require, and why. */
export interface RequiredClearance {
  office: string;
  why: string;
}

/** The steps to release, each held to the rules against the world as it stands (`Cable.stepRefusals`). */
export type ReleaseStep = 'submit' | 'approve' | 'release';

const NEXT_STEP: Partial<Record<CableStatus, ReleaseStep>> = { DRAFT: 'submit', IN_CLEARANCE: 'submit', PENDING_APPROVAL: 'approve', APPROVED: 'release' };

/** What each step's refusal tells its sender to do, rule by rule. */
const NO_LONGER_EDITED = 'an approved cable is no longer edited: cancel it and draft it again';
const STEP_REMEDIES: Record<ReleaseStep, Record<'addressees' | 'kind' | 'reportBy', string> & { clearances?: string }> = {
  submit: { addressees: 'edit its addressees, then submit it', kind: 'edit its kind, then submit it', reportBy: 'edit the draft to a later date, then submit it' },
  approve: {
    addressees: 'edit its addressees, or return it to the drafter',
    clearances: 'return it to the drafter to have them asked',
    kind: 'return it to the drafter to change it',
    reportBy: 'edit it to a later date, or return it to the drafter',
  },
  release: {
    addressees: `${NO_LONGER_EDITED} to the posts that are open`,
    clearances: `${NO_LONGER_EDITED}, or have the offices cleared on a new draft`,
    kind: NO_LONGER_EDITED,
    reportBy: NO_LONGER_EDITED,
  },
};

/** What a step to release (submit, approve, release) checks against the world as it stands now. */
export interface StepConditions {
  /** The clearances the collective tasking rule requires (collective-tasking.ts). */
  required?: readonly RequiredClearance[];
  /** The cable's addressees that are no longer an open post (suspended or closed since). */
  unreachable?: readonly string[];
  /** How many open posts a release would reach for action, its collectives expanded as they stand now. */
  postsForAction?: number;
  /** The Department's day (DepartmentCalendar), by which a report-by date has passed; UTC's at the step's instant when not given. */
  today?: string;
}

export interface Distribution {
  /** Posts that must act, collectives expanded to the posts they held at release. */
  action: string[];
  info: string[];
}

/** What a release is given: the telegram it records is rendered once the release's rules pass. */
export type ReleaseOrder = Omit<Release, 'telegram'>;

export interface Release {
  mrn: string;
  releasedAt: string;
  dateTimeGroup: string;
  distribution: Distribution;
  /**
   * The telegram as it went out, rendered at the release from the cable and the posts and officers
   * as they stood then: what `GET /cables/:id/telegram` answers ever after, whatever the format or
   * the directory becomes. Absent on cables released before it was kept (rendered on read).
   */
  telegram?: string;
}

type At = { at: string };
export type CableEvent =
  | DomainEvent<'CableDrafted', { origin: string; drafter: Officer; draft: CableDraft } & At>
  | DomainEvent<'CableEdited', { draft: CableDraft; substantive: boolean; by: Officer | null; office: string | null; as: EditorRole | null; fields: string[] } & At>
  | DomainEvent<'ClearancesRequested', { offices: string[] } & At>
  | DomainEvent<'ClearanceRequestWithdrawn', { office: string; status: ClearanceStatus; comments: string | null; by: Officer } & At>
  | DomainEvent<'ClearanceGranted', { office: string; by: Officer } & At>
  | DomainEvent<'ClearanceGrantedWithComments', { office: string; by: Officer; comments: string } & At>
  | DomainEvent<'ClearanceNonConcurred', { office: string; by: Officer; comments: string } & At>
  | DomainEvent<'ClearancesMadeStale', { offices: string[] } & At>
  | DomainEvent<'CableSubmitted', { by: Officer } & At>
  | DomainEvent<'CableApproved', { by: Officer } & At>
  | DomainEvent<'CableReturned', { by: Officer; reason: string } & At>
  | DomainEvent<'CableReleased', { by: Officer } & Release>
  | DomainEvent<'CableCancelled', { by: Officer; reason: string } & At>;

type Of<T extends CableEvent['type']> = Extract<CableEvent, { type: T }>;

const officer = (actor: CableActor): Officer => ({ id: actor.id, username: actor.username, office: actor.office });

function forbidden(message: string): never {
  throw new ChanceryError(ErrorCode.Forbidden, message);
}

/** A clearance not given, as the refusal says it to people: its state in words, not the API's constant. */
const OPEN_CLEARANCE_WORDS: Readonly<Record<string, string>> = { PENDING: 'not answered yet', NON_CONCUR: 'does not concur', STALE: 'cleared an earlier text' };

/**
 * A cable from first draft to release. It enforces what a cable office enforces: content rules on
 * every draft, clearances that go stale when the substance changes, approval by someone other than
 * the drafter with authority for the originator, and no change at all once released or cancelled.
 */
export class Cable extends EventSourcedAggregate<CableEvent> {
  origin: string;
  drafter: Officer;
  draft: CableDraft;
  status: CableStatus = 'DRAFT';
  clearances: Clearance[] = [];
  approvedBy: Officer | null = null;
  release: Release | null = null;
  /** Everyone who has ever cleared, non-concurred or approved it: they stay in its working party. */
  actedBy: string[] = [];
  edits: Edit[] = [];
  returns: Return[] = [];
  withdrawals: Withdrawal[] = [];

  static create(id: string, actor: CableActor, draft: CableDraft, world: DraftingWorld, at: string): Cable {
    let origin: string;
    if (actor.roles.includes('drafter')) {
      origin = DEPARTMENT;
      ensure(actor.office !== null, 'office', 'a Department drafter needs an office symbol');
    } else if (actor.roles.includes('post_officer') && actor.postCode) {
      origin = actor.postCode;
      ensure(!world.isClosed?.(origin), 'origin', `${origin} is closed: a closed post drafts no cables`);
    } else {
      forbidden('only drafters and post officers draft cables');
    }
    validateFor(origin, draft, world);
    const cable = new Cable(id);
    cable.apply({ type: 'CableDrafted', data: { origin, drafter: officer(actor), draft, at } });
    return cable;
  }

  /**
   * Clearing is joint drafting: the drafter edits a draft, a clearer of an office asked edits it
   * while it is worked (DRAFT or IN_CLEARANCE), the approver edits a submitted cable. A change to
   * the substance makes the clearances given stale, except the editing clearer's own office's (its
   * clearance covers its own edit). An approver's edit reopens no clearance: it is recorded and
   * shown against every clearance (`editsSince`); returning the cable has the offices whose text
   * the approver changed clear again (returnToDrafter).
   */
  edit(actor: CableActor, draft: CableDraft, world: DraftingWorld, at: string): void {
    const as = this.editorRole(actor);
    validateFor(this.origin, draft, world);
    // Raised, a cable stays within its drafter's reach: a clearer or approver marking it above their
    // clearance would take the drafter's own cable out of their hands. (A drafter cleared lower since
    // is not held against edits that leave the marking as it stands.)
    const { drafterClearance } = world;
    if (drafterClearance && readingLevel(draft.classification) > readingLevel(this.draft.classification)) {
      ensure(clearanceCovers(drafterClearance, draft.classification), 'classification', "above the drafter's clearance");
    }
    const fields = changedFields(this.draft, draft);
    if (fields.length === 0) return;
    const substantive = substanceOf(draft) !== substanceOf(this.draft);
    const office = as === 'clearer' ? actor.office : as === 'drafter' ? (this.drafter.office ?? this.origin) : (actor.office ?? actor.postCode);
    this.apply({ type: 'CableEdited', data: { draft, substantive, by: officer(actor), office, as, fields, at } });
    if (!substantive || as === 'approver') return;
    const given = this.clearances
      .filter((c) => isGiven(c) && !(as === 'clearer' && c.office === actor.office))
      .map((c) => c.office);
    if (given.length > 0) this.apply({ type: 'ClearancesMadeStale', data: { offices: given, at } });
  }

  /**
   * Throws unless the actor may edit it now (who, and in which state): checked before a patch is
   * merged and validated, so that one who may not edit learns that (403, 409), not what is wrong with
   * their text.
   */
  mustBeEditableBy(actor: CableActor): void {
    this.editorRole(actor);
  }

  /** As what the actor edits, or why they may not. */
  private editorRole(actor: CableActor): EditorRole {
    if (this.status === 'PENDING_APPROVAL' && actor.id !== this.drafter.id && this.hasReleaseAuthority(actor)) return 'approver';
    const asDrafter = this.isDraftedBy(actor);
    const asClearer = !asDrafter && actor.id !== this.drafter.id && actor.roles.includes('clearer') && actor.office !== null && this.clearances.some((c) => c.office === actor.office);
    if (!asDrafter && !asClearer && this.hasReleaseAuthority(actor)) this.mustBeIn(['PENDING_APPROVAL'], 'edited by its approver');
    if (!asDrafter && !asClearer) forbidden('only its drafter, a clearer of an office asked to clear it, or the approver of a submitted cable edits it');
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE'], 'edited');
    return asDrafter ? 'drafter' : 'clearer';
  }

  requestClearances(actor: CableActor, offices: string[], at: string): void {
    this.mustBeDrafter(actor, 'request clearances for');
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE'], 'sent for clearance');
    ensure(offices.length > 0, 'offices', 'name at least one office');
    for (const office of offices) ensure(OFFICE_PATTERN.test(office), 'offices', `${office} is not an office symbol`);
    const twice = offices.find((office, i) => offices.indexOf(office) !== i);
    ensure(twice === undefined, 'offices', `${twice} is named twice`);
    // A new office is asked; one whose clearance went stale, or that did not concur, is asked again.
    const fresh = [...new Set(offices)].filter((office) => {
      const asked = this.clearances.find((c) => c.office === office);
      return !asked || asked.status === 'STALE' || asked.status === 'NON_CONCUR';
    });
    ensure(fresh.length > 0, 'offices', `every office named is asked already and its clearance stands (${offices.join(', ')})`);
    this.apply({ type: 'ClearancesRequested', data: { offices: fresh, at } });
  }

  /**
   * The drafter withdraws a request not yet decided (sent to the wrong office), or one that did not
   * concur: the office is no longer asked, and the withdrawal stays on the cable for the approver.
   */
  withdrawClearanceRequest(actor: CableActor, office: string, at: string): void {
    this.mustBeDrafter(actor, 'withdraw clearance requests on');
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE'], 'changed');
    const clearance = this.clearances.find((c) => c.office === office);
    ensure(clearance !== undefined, 'office', `${office} was not asked to clear this cable`);
    if (clearance.status !== 'PENDING' && clearance.status !== 'NON_CONCUR') {
      throw new ChanceryError(ErrorCode.InvalidTransition, `${office}'s clearance is ${clearance.status}; only a pending or non-concurring request is withdrawn`, { office, status: clearance.status });
    }
    // An office that did not concur, asked again and not yet answering, is withdrawn as it last
    // answered: the approver sees its objection, not a request never answered.
    const answered = clearance.status === 'PENDING' && clearance.objection ? { status: 'NON_CONCUR' as const, comments: clearance.objection.comments } : { status: clearance.status, comments: clearance.comments };
    this.apply({ type: 'ClearanceRequestWithdrawn', data: { office, ...answered, by: officer(actor), at } });
  }

  decideClearance(actor: CableActor, office: string, decision: ClearanceDecision, comments: string | null, at: string): void {
    // Before submission: in clearance, or returned (DRAFT) with offices to clear again.
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE'], 'cleared');
    const clearance = this.clearances.find((c) => c.office === office);
    ensure(clearance !== undefined, 'office', `${office} was not asked to clear this cable`);
    if (!actor.roles.includes('clearer') || actor.office !== office) forbidden(`only a clearer of ${office} clears for it`);
    if (actor.id === this.drafter.id) forbidden('nobody clears their own cable');
    if (isGiven(clearance)) {
      throw new ChanceryError(ErrorCode.InvalidTransition, `${office} has cleared this text already; it answers again once an edit makes its clearance stale`, { office, status: clearance.status });
    }
    const text = comments?.trim() ?? '';
    const by = officer(actor);
    switch (decision) {
      case 'CLEARED':
        // A plain clearance says nothing more: comments sent with it would be lost, so they are refused.
        ensure(text.length === 0, 'comments', 'a plain clearance carries no comments: clear with comments (CLEARED_WITH_COMMENTS) to keep them');
        this.apply({ type: 'ClearanceGranted', data: { office, by, at } });
        return;
      case 'CLEARED_WITH_COMMENTS':
        ensure(showsText(text), 'comments', 'clearing with comments needs the comments');
        this.apply({ type: 'ClearanceGrantedWithComments', data: { office, by, comments: text, at } });
        return;
      case 'NON_CONCUR':
        ensure(showsText(text), 'comments', 'a non-concurrence needs its reasons');
        this.apply({ type: 'ClearanceNonConcurred', data: { office, by, comments: text, at } });
        return;
      default:
        ensure(false, 'decision', 'decision must be CLEARED, CLEARED_WITH_COMMENTS or NON_CONCUR');
    }
  }

  /**
   * To approval: every office asked has cleared (a non-concurrence blocks until that office clears
   * or the request is withdrawn), and every office the rules require (`required`: the collective
   * tasking rule, see collective-tasking.ts) has cleared.
   */
  submit(actor: CableActor, at: string, conditions: StepConditions = {}): void {
    this.mustBeDrafter(actor, 'submit');
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE'], 'submitted');
    this.mustPassStepRules('submit', conditions, at);
    this.apply({ type: 'CableSubmitted', data: { by: officer(actor), at } });
  }

  /** As for submit: an approver's edit since may have added a collective that calls for more, a post may have closed. */
  approve(actor: CableActor, at: string, conditions: StepConditions = {}): void {
    // Who may is said before the state, as for cancel: one without authority learns nothing from trying.
    this.mustHaveReleaseAuthority(actor, 'approve');
    this.mustBeIn(['PENDING_APPROVAL'], 'approved');
    this.mustPassStepRules('approve', conditions, at);
    this.apply({ type: 'CableApproved', data: { by: officer(actor), at } });
  }

  /**
   * The step to release this cable takes next from where it stands (submit a draft, approve a
   * submitted cable, release an approved one); null for a cable released or cancelled.
   */
  get nextStep(): ReleaseStep | null {
    return NEXT_STEP[this.status] ?? null;
  }

  /**
   * What the rules each step to release holds against the world (open addressees, the collective
   * tasking rule's clearances, the kind its origin sends, the report-by date) would refuse of the
   * next step now, each said as the step's refusal says it: so that a reader is not offered a step
   * the command would refuse, and is told why. Empty when the step would pass them (who may take it,
   * and the clearances asked, are need-to-know's `allowedCableActions`).
   */
  stepRefusals(conditions: StepConditions, at: string): string[] {
    const step = this.nextStep;
    if (!step) return [];
    return this.stepRules(step, conditions, at).flatMap((rule) => {
      try {
        rule();
        return [];
      } catch (error) {
        if (error instanceof ChanceryError) return [error.message];
        throw error;
      }
    });
  }

  /**
   * The step's rules; the first broken is the refusal, said together with the others broken on the
   * same field: a drafter who asked one of eight offices the collective tasking rule requires learns
   * of the other seven now, not after the first has answered.
   */
  private mustPassStepRules(step: ReleaseStep, conditions: StepConditions, at: string): void {
    const broken = this.stepRules(step, conditions, at).flatMap((rule) => {
      try {
        rule();
        return [];
      } catch (error) {
        if (error instanceof ChanceryError) return [error];
        throw error;
      }
    });
    if (broken.length === 0) return;
    const field = (error: ChanceryError) => error.details.errors?.[0]?.field;
    const together = broken.filter((error) => field(error) === field(broken[0]));
    if (together.length === 1) throw broken[0];
    const message = together.map((error) => error.message).join('; ');
    throw new ChanceryError(ErrorCode.RuleViolated, message, { errors: [{ field: field(broken[0])!, message }] });
  }

  /** The rules of one step, each with the step's own remedy, in the order a refusal names the first. */
  private stepRules(step: ReleaseStep, { required = [], unreachable = [], postsForAction, today: given }: StepConditions, at: string): (() => void)[] {
    const remedy = STEP_REMEDIES[step];
    const today = given ?? at.slice(0, 10);
    return [
      // Submitting waits for every office asked (a non-concurrence until that office clears or is withdrawn).
      () => this.mustHaveEveryClearanceAsked(step),
      () => this.mustAddressOnlyOpenPosts('actionAddressees', unreachable, remedy.addressees),
      () => this.mustAddressOnlyOpenPosts('infoAddressees', unreachable, remedy.addressees),
      () => this.mustHaveRequiredClearances(step, required, remedy.clearances),
      () => this.mustBeOfAKindItsOriginSends(remedy.kind),
      () => this.mustNotHavePassedReportBy(today, remedy.reportBy),
      // Only a release sends: its collectives, expanded as they stand, must reach an open post for action.
      () => ensure(step !== 'release' || postsForAction === undefined || postsForAction > 0, 'distribution', 'the release reaches no post for action'),
    ];
  }

  /** To approval only once every office asked has answered for it (`isGiven`); the later steps follow from it. */
  private mustHaveEveryClearanceAsked(step: ReleaseStep): void {
    if (step !== 'submit') return;
    const open = this.clearances.filter((c) => !isGiven(c));
    ensure(open.length === 0, 'clearances', `clearances still needed: ${open.map((c) => `${c.office} (${OPEN_CLEARANCE_WORDS[c.status] ?? c.status})`).join(', ')}`);
  }

  /**
   * Every addressee an open post or a collective, held at each step to release as drafting holds it:
   * a post suspended or closed since it was addressed (`unreachable`, as the handler found the
   * network now) would otherwise be sent the cable and tasked by its campaign. One rule a field, so
   * that what the next step would refuse (`stepRefusals`) names both fields when both hold one.
   */
  private mustAddressOnlyOpenPosts(field: 'actionAddressees' | 'infoAddressees', unreachable: readonly string[], remedy: string): void {
    const gone = this.draft[field].filter((code) => unreachable.includes(code));
    ensure(gone.length === 0, field, `${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} no longer an open post: ${remedy}`);
  }

  /**
   * The collective tasking rule, held at each step to release: at submission, and again at approval
   * and release, since an approver may edit a submitted cable (adding a collective for action) and a
   * collective may reach another bureau's posts by the time it is released.
   */
  private mustHaveRequiredClearances(step: ReleaseStep, required: readonly RequiredClearance[], remedy?: string): void {
    // At submission an office asked that has not answered is said by the rule before: not twice.
    const open = step === 'submit' ? this.clearances.filter((c) => !isGiven(c)) : [];
    const awaited = (r: RequiredClearance) => open.some((c) => c.office === r.office || (!r.office.includes('/') && c.office.startsWith(`${r.office}/`)));
    const missing = missingClearances(required, this.clearances).filter((r) => !awaited(r));
    ensure(missing.length === 0, 'clearances', requiredNotGiven(missing, remedy));
  }

  /**
   * Posts report and inform, the Department instructs and informs: held at each step to release too,
   * for a draft stored before the rule (drafting and editing hold it since).
   */
  private mustBeOfAKindItsOriginSends(remedy: string): void {
    const kinds = cableKindsFrom(this.origin === DEPARTMENT ? 'department' : 'post');
    ensure(kinds.includes(this.draft.kind), 'kind', `a cable from ${this.origin} is ${kinds.join(' or ')}, not ${this.draft.kind}: ${remedy}`);
  }

  /**
   * A demarche's report-by date is checked when it is drafted and at each step to release, so that no
   * campaign opens with every post already overdue (a draft can wait days for approval).
   */
  private mustNotHavePassedReportBy(today: string, remedy: string): void {
    const reportBy = this.draft.demarche?.reportBy;
    ensure(reportBy === undefined || reportBy >= today, 'demarche.reportBy', `reportBy ${reportBy} has passed (today is ${today}): ${remedy}`);
  }

  returnToDrafter(actor: CableActor, reason: string, at: string): void {
    // Who may is said before the state, as for cancel: one without authority learns nothing from trying.
    this.mustHaveReleaseAuthority(actor, 'return');
    this.mustBeIn(['PENDING_APPROVAL'], 'returned');
    ensure(showsText(reason), 'reason', 'say why the cable goes back');
    this.apply({ type: 'CableReturned', data: { by: officer(actor), reason: reason.trim(), at } });
    this.reopenClearancesTheApproverChanged(at);
  }

  /**
   * A returned cable goes back with its clearances: the offices whose text the approver changed
   * since they cleared it clear again, the rest stand (domain.md, "Clearing is joint drafting").
   * An approver's edit counts once the cable has been returned after it (one made since the last
   * return, on the cable now waiting for approval, is the approver's until they return it), and not
   * against a clearance the approver gave themselves (as a clearer too): it covers its own author's
   * edit. Answers
   * the offices made stale. Also run once over cables an earlier version returned without it
   * (`ReturnedCableClearancesRepair`), resubmitted since or not.
   */
  reopenClearancesTheApproverChanged(at: string): string[] {
    const returnedAfter = (edit: Edit) => this.returns.some((r) => r.at >= edit.at);
    const offices = this.clearances
      .filter((c) => isGiven(c) && this.edits.slice(c.afterEdits ?? 0).some((e) => e.substantive && e.as === 'approver' && e.by?.id !== c.by?.id && returnedAfter(e)))
      .map((c) => c.office);
    if (offices.length > 0) this.apply({ type: 'ClearancesMadeStale', data: { offices, at } });
    return offices;
  }

  /**
   * `conditions`: as for submit, with the collectives as they stand at release. `telegramOf` renders
   * the telegram as it goes out (the cable with this release), once every rule has passed: it is
   * recorded with the release, and answered word for word ever after.
   */
  releaseAs(actor: CableActor, release: ReleaseOrder, conditions: StepConditions, telegramOf: (release: ReleaseOrder) => string): void {
    // Who may is said before the state, as for cancel: one without authority learns nothing from trying.
    this.mustHaveReleaseAuthority(actor, 'release');
    this.mustBeIn(['APPROVED'], 'released');
    this.mustPassStepRules('release', { ...conditions, postsForAction: release.distribution.action.length }, release.releasedAt);
    const match = MRN_PATTERN.exec(release.mrn);
    ensure(match !== null && match[2] === this.origin, 'mrn', `the MRN must be one of ${this.origin}'s`);
    this.apply({ type: 'CableReleased', data: { by: officer(actor), ...release, telegram: telegramOf(release) } });
  }

  cancel(actor: CableActor, reason: string, at: string): void {
    // Who may cancel is said before what state the cable is in: a reader who may not cancel it
    // learns nothing from trying.
    if (!this.isDraftedBy(actor) && !this.hasReleaseAuthority(actor)) forbidden('only its drafter or an approver for its originator cancels a cable');
    this.mustBeIn(['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED'], 'cancelled');
    ensure(showsText(reason), 'reason', 'say why the cable is cancelled');
    this.apply({ type: 'CableCancelled', data: { by: officer(actor), reason: reason.trim(), at } });
  }

  /** The cable's markings and status as they stand: what reading this version takes (`readDecision`). */
  get standing(): WrittenUnder {
    return { classification: this.draft.classification, captions: this.draft.captions, status: this.status };
  }

  /** The people who worked the cable by name: its drafter and whoever cleared or approved it. */
  get workingParty(): string[] {
    return [...new Set([this.drafter.id, ...this.actedBy])];
  }

  /**
   * What the need-to-know policy decides on, as the cable stands at this version. The desks that
   * tasked a post's cable (by REF) are looked up by the reader: `CablesQuery.taskingDesks`.
   */
  get access(): CableAccess {
    return this.accessWith([]);
  }

  accessWith(taskingDesks: CableAccess['taskingDesks']): CableAccess {
    return {
      classification: this.draft.classification,
      captions: this.draft.captions,
      status: this.status,
      origin: this.origin,
      drafterId: this.drafter.id,
      draftingOffice: this.drafter.office,
      clearances: this.clearances.map(({ office, status }) => ({ office, status })),
      actedBy: this.actedBy,
      distribution: this.release ? [...this.release.distribution.action, ...this.release.distribution.info] : [],
      taskingDesks,
    };
  }

  onCableDrafted(event: Of<'CableDrafted'>): void {
    this.origin = event.data.origin;
    this.drafter = event.data.drafter;
    this.draft = draftAsMeant(event.data.draft);
  }

  onCableEdited(event: Of<'CableEdited'>): void {
    const { draft, substantive, by, office, as, fields, at } = event.data;
    this.draft = draftAsMeant(draft);
    this.edits = [...this.edits, { by, office, as, fields, substantive, at, writtenUnder: this.standing }];
  }

  onClearancesRequested(event: Of<'ClearancesRequested'>): void {
    const pending = (office: string): Clearance => ({ office, status: 'PENDING', by: null, at: null, comments: null, writtenUnder: null, afterEdits: this.edits.length });
    const again = event.data.offices.filter((office) => this.clearances.some((c) => c.office === office));
    const askedAgain = (c: Clearance): Clearance =>
      c.status === 'NON_CONCUR' ? { ...pending(c.office), objection: { comments: c.comments, writtenUnder: c.writtenUnder } } : pending(c.office);
    this.clearances = [
      ...this.clearances.map((c) => (again.includes(c.office) ? askedAgain(c) : c)),
      ...event.data.offices.filter((office) => !again.includes(office)).map(pending),
    ];
    this.status = 'IN_CLEARANCE';
  }

  onClearanceRequestWithdrawn(event: Of<'ClearanceRequestWithdrawn'>): void {
    const { office, status, comments, by, at } = event.data;
    const withdrawn = this.clearances.find((c) => c.office === office);
    const writtenUnder = (withdrawn?.status === 'PENDING' ? withdrawn.objection?.writtenUnder : withdrawn?.writtenUnder) ?? this.standing;
    this.clearances = this.clearances.filter((c) => c.office !== office);
    this.withdrawals = [...this.withdrawals, { office, status, comments, by, at, writtenUnder }];
  }

  onClearanceGranted(event: Of<'ClearanceGranted'>): void {
    this.setClearance(event.data.office, { status: 'CLEARED', by: event.data.by, at: event.data.at, comments: null, writtenUnder: null });
  }

  onClearanceGrantedWithComments(event: Of<'ClearanceGrantedWithComments'>): void {
    this.setClearance(event.data.office, { status: 'CLEARED_WITH_COMMENTS', by: event.data.by, at: event.data.at, comments: event.data.comments, writtenUnder: this.standing });
  }

  onClearanceNonConcurred(event: Of<'ClearanceNonConcurred'>): void {
    this.setClearance(event.data.office, { status: 'NON_CONCUR', by: event.data.by, at: event.data.at, comments: event.data.comments, writtenUnder: this.standing });
  }

  onClearancesMadeStale(event: Of<'ClearancesMadeStale'>): void {
    this.clearances = this.clearances.map((c) => (event.data.offices.includes(c.office) ? { ...c, status: 'STALE' } : c));
  }

  onCableSubmitted(): void {
    this.status = 'PENDING_APPROVAL';
  }

  onCableApproved(event: Of<'CableApproved'>): void {
    this.status = 'APPROVED';
    this.approvedBy = event.data.by;
    if (!this.actedBy.includes(event.data.by.id)) this.actedBy = [...this.actedBy, event.data.by.id];
  }

  onCableReturned(event: Of<'CableReturned'>): void {
    this.returns = [...this.returns, { reason: event.data.reason, by: event.data.by, at: event.data.at, writtenUnder: this.standing }];
    this.status = 'DRAFT';
    this.approvedBy = null;
  }

  onCableReleased(event: Of<'CableReleased'>): void {
    const { by: _by, ...release } = event.data;
    this.status = 'RELEASED';
    this.release = release;
  }

  onCableCancelled(): void {
    this.status = 'CANCELLED';
  }

  private setClearance(office: string, change: Omit<Clearance, 'office'>): void {
    if (change.by && !this.actedBy.includes(change.by.id)) this.actedBy = [...this.actedBy, change.by.id];
    this.clearances = this.clearances.map((c) => (c.office === office ? { office, ...change, afterEdits: this.edits.length } : c));
  }

  private mustBeIn(statuses: CableStatus[], verb: string): void {
    if (!statuses.includes(this.status)) {
      throw new ChanceryError(ErrorCode.InvalidTransition, `The cable is ${this.status}; it cannot be ${verb}`, { status: this.status });
    }
  }

  private mustBeDrafter(actor: CableActor, verb: string): void {
    if (!this.isDraftedBy(actor)) forbidden(`only the cable's drafter may ${verb} it`);
  }

  /**
   * Its drafter, still placed where it originates and still drafting (need-to-know's
   * `actsAsDrafter`: one moved to another post, or whose drafting role was taken away, is no longer).
   */
  private isDraftedBy(actor: CableActor): boolean {
    return actsAsDrafter(actor, { drafterId: this.drafter.id, origin: this.origin });
  }

  private hasReleaseAuthority(actor: CableActor): boolean {
    return hasReleaseAuthority(actor, this.origin);
  }

  private mustHaveReleaseAuthority(actor: CableActor, verb: string): void {
    if (!this.hasReleaseAuthority(actor)) forbidden(`only an approver with release authority for ${this.origin} may ${verb} this cable`);
    if (actor.id === this.drafter.id) forbidden(`the drafter of a cable never may ${verb} it`);
  }
}

/**
 * The drafting rules for a cable of this origin: the Department addresses posts and instructs or
 * informs them (posts report); a post addresses SECSTATE for action (and may address it at all), and
 * reports or informs (an instruction tasks posts, which a post's cable does not reach for action);
 * then every content rule.
 */
function validateFor(origin: string, draft: CableDraft, world: DraftingWorld): void {
  if (origin === DEPARTMENT) {
    for (const list of ['actionAddressees', 'infoAddressees'] as const) ensure(!draft[list].includes(SECSTATE), list, 'a Department cable is addressed to posts, not to SECSTATE');
    ensure(cableKindsFrom('department').includes(draft.kind), 'kind', 'posts report: a Department cable is an INSTRUCTION or INFORMATIONAL');
    validateDraft(draft, world);
  } else {
    // SECSTATE named twice is told it repeats (validateDraft), not that it is not SECSTATE alone.
    const forAction = [...new Set(draft.actionAddressees)];
    ensure(forAction.length === 1 && forAction[0] === SECSTATE, 'actionAddressees', 'a cable from a post is addressed for action to SECSTATE');
    ensure(cableKindsFrom('post').includes(draft.kind), 'kind', 'an instruction tasks posts, and comes from the Department: a post\'s cable is REPORTING or INFORMATIONAL');
    validateDraft(draft, { ...world, isAddressable: (code) => code === SECSTATE || world.isAddressable(code) });
  }
}

/** The draft fields whose value differs between two drafts. */
export function changedFields(before: CableDraft, after: CableDraft): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])] as (keyof CableDraft)[];
  return keys.filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)).sort();
}

/**
 * The required offices that have not cleared. A regional bureau's clearance is given by the bureau
 * or one of its offices (EAP/CM clears for EAP); any other office by itself.
 */
/** The refusal that names the clearances the collective tasking rule requires and nobody has given. */
function requiredNotGiven(missing: readonly RequiredClearance[], remedy?: string): string {
  return `clearances required and not given: ${missing.map((r) => `${r.office} (${r.why})`).join('; ')}${remedy ? `: ${remedy}` : ''}`;
}

export function missingClearances(required: readonly RequiredClearance[], clearances: readonly Clearance[]): RequiredClearance[] {
  const given = clearances.filter(isGiven).map((c) => c.office);
  return required.filter((r) => !given.some((office) => office === r.office || (!r.office.includes('/') && office.startsWith(`${r.office}/`))));
}

/** What a cable snapshot holds: its state, nothing of the aggregate machinery. */
type CableState = Pick<Cable, 'origin' | 'drafter' | 'draft' | 'status' | 'clearances' | 'approvedBy' | 'release' | 'actedBy' | 'edits' | 'returns' | 'withdrawals'>;

export const cableDefinition: AggregateDefinition<Cable> = {
  streamType: 'cable',
  schemaVersions: {
    CableDrafted: 1,
    CableEdited: 2,
    ClearancesRequested: 1,
    ClearanceRequestWithdrawn: 1,
    ClearanceGranted: 1,
    ClearanceGrantedWithComments: 1,
    ClearanceNonConcurred: 1,
    ClearancesMadeStale: 1,
    CableSubmitted: 1,
    CableApproved: 1,
    CableReturned: 1,
    CableReleased: 1,
    CableCancelled: 1,
  },
  blank: (id) => new Cable(id),
  // A cable edited through a long clearance round collects hundreds of events; every 100th saves
  // its state, so a load folds at most 99. A change to CableState's shape bumps schemaVersion.
  snapshots: {
    every: 100,
    schemaVersion: 6,
    take: ({ origin, drafter, draft, status, clearances, approvedBy, release, actedBy, edits, returns, withdrawals }): CableState => ({
      origin, drafter, draft, status, clearances, approvedBy, release, actedBy, edits, returns, withdrawals,
    }),
    restore: (id, state) => Object.assign(new Cable(id), state as CableState),
  },
};

