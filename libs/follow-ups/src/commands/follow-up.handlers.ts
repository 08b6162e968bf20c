import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertNever, ChanceryError, Clock, DepartmentCalendar, ErrorCode } from '@chancery/common';
import { CableReader } from '@chancery/cables';
import { DemarchesQuery } from '@chancery/demarches';
import type { Db } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { OfficesQuery, PolicyService, principalOf, UsersQuery } from '@chancery/identity';
import { type Classification, clearanceCovers, type FollowUpAccess, followUpMarking, highestClassification, mayGiveFollowUpTo, mayReadCable, mayReadFollowUp, type Principal, worksFor } from '@chancery/identity/domain';
import { FollowUpReader } from '../follow-up-reader.js';
import { PostsQuery } from '@chancery/posts';
import { bureauOfOffice, FollowUp, followUpDefinition, type Owner } from '../domain/follow-up.aggregate.js';
import { type FollowUpAnswer, FollowUpAnswers } from './follow-up-answers.js';
import { ChangeFollowUpCommand, CreateFollowUpCommand, type FollowUpChange } from './follow-up.commands.js';

const COMMAND_NAMES: Record<FollowUpChange['kind'], string> = {
  patch: 'ChangeFollowUp',
  start: 'StartFollowUp',
  complete: 'CompleteFollowUp',
  cancel: 'CancelFollowUp',
  comment: 'CommentOnFollowUp',
};

@Injectable()
export class OwnerBureaus {
  constructor(
    private readonly posts: PostsQuery,
    private readonly offices: OfficesQuery,
    private readonly users: UsersQuery,
  ) {}

  /**
   * 422 unless someone who works for the owner (`worksFor`: the office's desk, the post's officers)
   * may read the follow-up as it stands (`access`): an owner none of whose people may read it could
   * never see it, let alone do it (a Beijing campaign's follow-up given to Tokyo, a NODIS one to an
   * office outside its working party), and an office of only auditors and admins could not work it.
   * An owner with no users yet is not judged: there is no one to judge by.
   */
  async mustBeReadableBy(owner: Owner, access: FollowUpAccess, db?: Db): Promise<void> {
    const users = (await this.users.addressed({ users: [], offices: owner.office !== undefined ? [owner.office] : [], posts: owner.post !== undefined ? [owner.post] : [] }, db)).map(principalOf);
    if (users.length === 0) return;
    const [field, name] = owner.office !== undefined ? ['owner.office', owner.office] : ['owner.post', owner.post!];
    const workers = users.filter((user) => worksFor(user, owner));
    if (workers.length === 0) {
      throw new ChanceryError(ErrorCode.RuleViolated, `No one at ${name} works on follow-ups (its people only read: auditors, admins): give it an owner who may work it`, {
        errors: [{ field, message: `no one at ${name} may work on it` }],
      });
    }
    if (workers.some((user) => mayReadFollowUp(user, access).allowed)) return;
    throw new ChanceryError(ErrorCode.RuleViolated, `No one at ${name} may read this follow-up (its marking, or what it is linked to): give it an owner who may`, {
      errors: [{ field, message: `no one at ${name} may read it` }],
    });
  }

  /**
   * The owner is an office of the directory or an open post (422 otherwise). An office's bureau is
   * its first segment; a post's is its regional bureau.
   */
  async of(owner: Owner, db?: Db): Promise<string> {
    if (owner.office !== undefined) {
      await this.offices.requireKnown('owner.office', [owner.office], db);
      return bureauOfOffice(owner.office);
    }
    const post = await this.posts.get(owner.post, db);
    if (!post) throw new ChanceryError(ErrorCode.RuleViolated, `${owner.post} is not a post`, { errors: [{ field: 'owner.post', message: `${owner.post} is not a post` }] });
    if (post.status !== 'OPEN') throw new ChanceryError(ErrorCode.RuleViolated, `${owner.post} is ${post.status.toLowerCase()}: a follow-up is owned by an open post`, { errors: [{ field: 'owner.post', message: 'not an open post' }] });
    return post.bureau;
  }
}

@CommandHandler(CreateFollowUpCommand)
export class CreateFollowUpHandler implements ICommandHandler<CreateFollowUpCommand> {
  private readonly followUps: AggregateRepository<FollowUp>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly bureaus: OwnerBureaus,
    private readonly demarches: DemarchesQuery,
    private readonly reader: FollowUpReader,
    private readonly answers: FollowUpAnswers,
    private readonly posts: PostsQuery,
    private readonly cables: CableReader,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
  ) {
    this.followUps = repositories.for(followUpDefinition);
  }

  /** Answers the follow-up as `GET /follow-ups/:id` shows it to its creator (FollowUpAnswers). */
  async execute({ context, actor, input }: CreateFollowUpCommand): Promise<FollowUpAnswer> {
    // Whom it may be given to is the sender's standing (a 403, audited), judged before the owner named.
    const giving = mayGiveFollowUpTo(actor, input.owner);
    if (!giving.allowed) {
      await this.policy.denied(actor, giving.reason, { requestId: context.requestId, action: 'CreateFollowUp' });
      throw new ChanceryError(ErrorCode.Forbidden, `Not allowed: ${giving.reason}`);
    }
    const ownerBureau = await this.bureaus.of(input.owner);
    if (!clearanceCovers(actor.clearance, input.classification)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `classification ${input.classification} is above your clearance`, { errors: [{ field: 'classification', message: 'above your clearance' }] });
    }
    // A link to a record the creator may not read is refused exactly like one to a record that does
    // not exist, so that linking tells nothing.
    const { cableId, demarcheId, post, response } = input.links;
    // Text written while its linked cable is unreleased is the working party's (`asUnreleased`). Its
    // links never change, and a released cable stays released: only now can it be unreleased (a
    // campaign is opened by its cable's release).
    const linked = await this.reader.access({ classification: input.classification, links: input.links, writtenUnderDraft: false, owner: input.owner, createdBy: actor });
    const writtenUnderDraft = linked.cable !== null && linked.cable.status !== 'RELEASED';
    const access = { ...linked, writtenUnderDraft };
    const campaign = demarcheId ? await this.demarches.campaign(demarcheId) : undefined;
    if (demarcheId && (!campaign || !access.campaign || !mayReadCable(actor, access.campaign).allowed)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `No campaign ${demarcheId}`, { errors: [{ field: 'demarcheId', message: 'no such campaign' }] });
    }
    if (cableId && (!access.cable || !mayReadCable(actor, access.cable).allowed)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `No cable ${cableId}`, { errors: [{ field: 'cableId', message: 'no such cable' }] });
    }
    // Both given, the cable is the campaign's: its tasking, or a cable that cites the tasking (a reply).
    if (cableId && campaign && cableId !== campaign.cableId && !(await this.cables.cites(cableId, campaign.mrn))) {
      throw new ChanceryError(ErrorCode.RuleViolated, `cable ${cableId} is neither campaign ${campaign.mrn}'s tasking nor a cable citing it`, {
        errors: [{ field: 'cableId', message: 'neither the campaign’s tasking nor a cable citing it' }],
      });
    }
    if (post && !(await this.posts.get(post))) throw new ChanceryError(ErrorCode.RuleViolated, `${post} is not a post`, { errors: [{ field: 'post', message: 'no such post' }] });
    if (post && campaign && !campaign.posts.includes(post)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `${post} is not tasked by campaign ${campaign.mrn}`, { errors: [{ field: 'post', message: 'not tasked by that campaign' }] });
    }
    if (response != null) {
      if (!campaign || !post) throw new ChanceryError(ErrorCode.RuleViolated, 'a follow-up from a response names its campaign (demarcheId) and post', { errors: [{ field: 'response', message: 'give demarcheId and post' }] });
      const [delivery] = await this.demarches.deliveries(actor, campaign, post);
      const logged = delivery?.responses.find((r) => r.number === response);
      if (!logged) {
        throw new ChanceryError(ErrorCode.RuleViolated, `${post} has no response ${response} in that campaign`, { errors: [{ field: 'response', message: 'no such response' }] });
      }
      // A corrected response no longer counts: the follow-up grows out of what stands.
      if (logged.correctedBy != null) {
        throw new ChanceryError(ErrorCode.RuleViolated, `${post}'s response ${response} was corrected by response ${logged.correctedBy}`, {
          errors: [{ field: 'response', message: `corrected by response ${logged.correctedBy}` }],
        });
      }
    }
    // What it is written about marks it from the start: a follow-up on a SECRET draft stays SECRET
    // when the draft is edited down, as the cable's own text of that time does.
    const classification = followUpMarking(access); // access holds input.classification as its own
    await this.bureaus.mustBeReadableBy(input.owner, { ...access, classification });
    const id = randomUUID();
    const answer = await this.followUps.create(
      context,
      'CreateFollowUp',
      () => {
        const at = this.clock.now();
        return FollowUp.create(id, { ...input, classification, ownerBureau, writtenUnderDraft }, actor, at.toISOString(), this.calendar.dayOf(at));
      },
      (followUp) => this.answers.pending(actor, followUp, { ...access, classification }),
    );
    return this.answers.settle(answer);
  }
}

@CommandHandler(ChangeFollowUpCommand)
export class ChangeFollowUpHandler implements ICommandHandler<ChangeFollowUpCommand> {
  private readonly followUps: AggregateRepository<FollowUp>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly bureaus: OwnerBureaus,
    private readonly policy: PolicyService,
    private readonly reader: FollowUpReader,
    private readonly answers: FollowUpAnswers,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
  ) {
    this.followUps = repositories.for(followUpDefinition);
  }

  /** Answers the follow-up as `GET /follow-ups/:id` shows it to the sender right after (FollowUpAnswers). */
  async execute({ context, actor, id, change }: ChangeFollowUpCommand): Promise<FollowUpAnswer> {
    const name = COMMAND_NAMES[change.kind];
    let access: FollowUpAccess;
    const answer = await this.policy.auditingDenials(actor, { requestId: context.requestId, action: name, streamId: this.followUps.streamId(id) }, () =>
      this.followUps.update(
        context,
        name,
        id,
        async (followUp, tx) => {
          // Acting requires reading (the route's guard checked it before If-Match and Idempotency-Key).
          access = await this.reader.access(followUp, tx);
          const denial = this.policy.recordDenial(mayReadFollowUp(actor, access));
          if (denial) throw denial;
          // Its owner and creator change it; the escalation bureau's leadership only re-assign or re-date it.
          const escalation =
            change.kind === 'patch' && change.title === undefined && change.description === undefined && change.classification === undefined && followUp.mayActOnEscalation(actor);
          if (!followUp.mayChange(actor) && !escalation) {
            throw new ChanceryError(
              ErrorCode.Forbidden,
              'Not allowed: only the follow-up’s owner (its office, or its post’s officers) and its creator may change it; the escalation bureau’s leadership may change its owner or due date',
            );
          }
          const at = this.clock.now().toISOString();
          // Text written now is written under what the follow-up is linked to as it stands now,
          // and under the marking its author gives it (what they were shown, maybe before a link
          // was marked down).
          const writes = writesText(followUp, change);
          const marked = await this.markingGiven(actor, followUp, change, writes, tx);
          if (writes) {
            followUp.raiseClassificationTo(highestClassification(followUpMarking(access), marked ?? 'UNCLASSIFIED'), actor, at);
            access = { ...access, classification: followUp.classification };
          }
          // The new owner is judged once the sender may change the follow-up (a 403 first, not what
          // is wrong with an owner they may not give it), in the transaction that gives it.
          let ownerBureau: string | undefined;
          if (change.kind === 'patch' && change.owner) {
            const giving = mayGiveFollowUpTo(actor, change.owner);
            if (!giving.allowed) throw new ChanceryError(ErrorCode.Forbidden, `Not allowed: ${giving.reason}`);
            ownerBureau = await this.bureaus.of(change.owner, tx);
            // Read as it will stand: its new owner's people read it, and (linked to nothing and
            // classified) the old one's no longer do; the answer is judged on that too.
            access = { ...access, owner: change.owner };
            await this.bureaus.mustBeReadableBy(change.owner, access, tx);
          }
          this.apply(followUp, actor, change, ownerBureau, at);
        },
        (followUp) => this.answers.pending(actor, followUp, access),
      ),
    );
    return this.answers.settle(answer);
  }

  /**
   * The marking a change gives its text (`classification`), once checked: it marks text the change
   * writes; it is within the author's clearance; and it is no higher than the follow-up or what it
   * links to has stood at since it was created (what the text can have been written under), so
   * that no one of those who may change a follow-up can raise it beyond that, out of the others' reach.
   */
  private async markingGiven(actor: Principal, followUp: FollowUp, change: FollowUpChange, writes: boolean, tx: Db): Promise<Classification | undefined> {
    const marked = change.kind === 'start' ? undefined : change.classification;
    if (!marked) return undefined;
    const refuse = (message: string, detail: string) => new ChanceryError(ErrorCode.RuleViolated, detail, { errors: [{ field: 'classification', message }] });
    if (!writes) throw refuse('marks no text', 'classification is the marking of the text a change writes, and this one writes none');
    if (!clearanceCovers(actor.clearance, marked)) throw refuse('above your clearance', `classification ${marked} is above your clearance`);
    const highest = await this.reader.highestSinceCreated(followUp, tx);
    if (highestClassification(marked, highest) !== highest) {
      throw refuse(`above ${highest}`, `classification ${marked} is above anything this follow-up or what it links to has stood at since it was created (${highest})`);
    }
    return marked;
  }

  private apply(followUp: FollowUp, actor: Principal, change: FollowUpChange, ownerBureau: string | undefined, at: string): void {
    switch (change.kind) {
      case 'patch':
        if (change.title !== undefined || change.description !== undefined) followUp.edit(actor, change, at);
        if (change.owner) followUp.reassign(actor, change.owner, ownerBureau!, at, change.dueOn, this.calendar.dayOf(at));
        if (change.dueOn) followUp.changeDueDate(actor, change.dueOn, at, this.calendar.dayOf(at));
        return;
      case 'start':
        return followUp.start(actor, at);
      case 'complete':
        return followUp.complete(actor, change.outcome, at);
      case 'cancel':
        return followUp.cancel(actor, change.reason, at);
      case 'comment':
        return followUp.comment(actor, change.text, at);
      default:
        return assertNever(change);
    }
  }
}

/**
 * A change that will record text of its own: a new title or description (not the same text sent
 * again), an outcome, a reason, a comment.
 */
function writesText(followUp: FollowUp, change: FollowUpChange): boolean {
  switch (change.kind) {
    case 'patch':
      return followUp.changesText(change);
    case 'complete':
    case 'cancel':
    case 'comment':
      return true;
    case 'start':
      return false;
    default:
      return assertNever(change);
  }
}
