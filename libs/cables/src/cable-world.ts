import { Injectable } from '@nestjs/common';
import { Clock, DepartmentCalendar } from '@chancery/common';
import type { Db } from '@chancery/database';
import { type AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type User, userDefinition, UsersQuery } from '@chancery/identity';
import type { Clearance, Principal } from '@chancery/identity/domain';
import { scopedPosts } from '@chancery/demarches/domain';
import { addressDesignator, COLLECTIVES, type Post, postDefinition, type PostNetwork, PostsQuery } from '@chancery/posts';
import { CablesQuery } from './cables.query.js';
import { type DemarcheScope, type DraftingWorld, networkReach } from './domain/cable-format.js';
import { type Cable, type Distribution, SECSTATE, type StepConditions } from './domain/cable.aggregate.js';
import { collectiveTaskingClearances } from './domain/collective-tasking.js';
import { collectiveDesignator, surnameOf, type TelegramDirectory } from './domain/telegram.js';

/**
 * A name as a telegram's line takes it: control characters and line breaks (which requests are
 * refused for, but names stored before that rule may hold) become spaces, runs of space one.
 */
export function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Whether `code` names a collective (ALDAC, EAP_POSTS, …). */
function isCollective(code: string): boolean {
  return COLLECTIVES.some((c) => c.code === code);
}

/** Whether a cable may name `code` as an addressee in `network`: an open post or a collective. */
function isAddressable(network: PostNetwork, code: string): boolean {
  return network.open.some((post) => post.code === code) || isCollective(code);
}

/** Collectives expanded to the posts they hold in `network`; a post named for action is not also info. */
export function distributionIn(network: PostNetwork, action: string[], info: string[]): Distribution {
  const collectives = new Map(network.collectives.map((c) => [c.code, c.members]));
  const expand = (codes: string[]) => [...new Set(codes.flatMap((code) => collectives.get(code) ?? [code]))].sort();
  const actionPosts = expand(action);
  return { action: actionPosts, info: expand(info).filter((code) => !actionPosts.includes(code)) };
}

/**
 * Those of `codes` that are neither an open post nor a collective in `network` (a post suspended or
 * closed). SECSTATE, the Department, is always there (whether a cable may address it is the cable's rule).
 */
export function notAddressableIn(network: PostNetwork, codes: string[]): string[] {
  return codes.filter((code) => code !== SECSTATE && !isAddressable(network, code));
}

/**
 * For each `action` addressee, the regional bureaus of the posts it tasks in `network`: the posts it
 * reaches (a collective expanded), narrowed by a demarche's `scope` ("embassies only", named posts,
 * all but some). An ALDAC demarche scoped to Tokyo tasks only EAP's posts.
 */
export function taskedBureausIn(network: PostNetwork, action: string[], scope?: DemarcheScope | null): Map<string, string[]> {
  const collectives = new Map(network.collectives.map((c) => [c.code, c.members]));
  const posts = new Map(network.all.map((p) => [p.code, p]));
  return new Map(
    action.map((code) => {
      const reached = (collectives.get(code) ?? [code]).flatMap((member) => (posts.has(member) ? [{ code: member, kind: posts.get(member)!.kind as string }] : []));
      return [code, [...new Set(scopedPosts(reached, scope).map((member) => posts.get(member)!.bureau))].sort()];
    }),
  );
}

/** What the cable rules ask of the world, answered from the posts and cables read models. */
@Injectable()
export class CableWorld {
  /** Posts and users as they stood at an instant: a released telegram names them as they were at its release. */
  private readonly postsThen: AggregateRepository<Post>;
  private readonly usersThen: AggregateRepository<User>;

  constructor(
    private readonly posts: PostsQuery,
    private readonly cables: CablesQuery,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly users: UsersQuery,
    repositories: AggregateRepositoryFactory,
  ) {
    this.postsThen = repositories.for(postDefinition);
    this.usersThen = repositories.for(userDefinition);
  }

  /** A user's clearance now (a drafter's, say); null for one who is gone. Inside a command, pass its transaction. */
  async clearanceOf(userId: string, db?: Db): Promise<Clearance | null> {
    return (await this.users.byId(userId, db))?.clearance ?? null;
  }

  /**
   * The post network as it stands, from one read. Inside a command, pass its transaction: a second
   * connection per command can exhaust the pool while commands wait on each other's locks.
   */
  network(db?: Db): Promise<PostNetwork> {
    return this.posts.network(db);
  }

  /**
   * A snapshot of the world for one command: open posts, collectives, released MRNs asked about.
   * Inside a command, pass its transaction (see `network`).
   */
  async forDraft(references: { mrn: string }[], author: Principal, db?: Db, alreadyCited: readonly string[] = []): Promise<DraftingWorld> {
    const network = await this.network(db);
    const members = new Map(network.collectives.map((c) => [c.code, new Set(c.members)]));
    const kinds = new Map(network.open.map((p) => [p.code, p.kind as string]));
    // A REF the author adds must be a released cable they may read; one that does not exist and one
    // they may not read are refused alike, so that citing says nothing of others' traffic. A REF the
    // draft already had stands for whoever edits it next (a clearer need not read what it cites).
    const released = new Set<string>();
    for (const { mrn } of references) {
      if (await this.cables.isReleasedMrn(mrn, alreadyCited.includes(mrn) ? null : author, db)) released.add(mrn);
    }
    const authorsPost = network.all.find((post) => post.code === author.postCode);
    return {
      today: this.calendar.today(),
      isClosed: (code) => code === authorsPost?.code && authorsPost.status === 'CLOSED',
      isAddressable: (code) => isAddressable(network, code),
      isReleasedMrn: (mrn) => released.has(mrn),
      ...networkReach(members, kinds),
    };
  }

  /**
   * What each step to release (submit, approve, release) holds against the world as it stands, from
   * one read of the post network, and the distribution a release would have (the release's own):
   * - the clearances the rules require (the collective tasking rule, see collective-tasking.ts), its
   *   collectives expanded as they are now and narrowed by its demarche's scope: an approver's edit after submission, or a collective
   *   grown since, may call for an office that has not cleared;
   * - the addressees that are no longer open posts (drafting refuses those; a post can be suspended
   *   or closed while its cable waits for approval).
   * Read through `db`, a command's transaction; a reader asks it too, to offer only a step the
   * command would take (`Cable.stepRefusals`).
   */
  async stepConditions(cable: Cable, db?: Db): Promise<StepConditions & { distribution: Distribution }> {
    const network = await this.network(db);
    const addressees = [...cable.draft.actionAddressees, ...cable.draft.infoAddressees];
    const distribution = distributionIn(network, cable.draft.actionAddressees, cable.draft.infoAddressees);
    return {
      required: collectiveTaskingClearances(cable.draft, cable.origin, (code) => this.isCollective(code), taskedBureausIn(network, cable.draft.actionAddressees, cable.draft.demarche?.scope)),
      unreachable: notAddressableIn(network, addressees),
      postsForAction: distribution.action.length,
      today: this.calendar.today(),
      distribution,
    };
  }

  isCollective(code: string): boolean {
    return isCollective(code);
  }

  /**
   * The posts' designators and chiefs of mission and the officers' names, now (read through `db`,
   * a command's transaction) or as they stood `asOf`.
   */
  async directory(codes: string[], officerIds: string[] = [], asOf?: Date, db?: Db): Promise<TelegramDirectory> {
    const designators = new Map<string, string>();
    const chiefs = new Map<string, string>();
    for (const code of new Set(codes)) {
      const post = asOf ? await this.postsThen.load(code, { asOf }).then((p) => p && { addressDesignator: addressDesignator(p.facts), chiefOfMission: p.chiefOfMission }) : await this.posts.get(code, db);
      if (post) designators.set(code, oneLine(post.addressDesignator));
      // Signed with the surname; a text that is no person's name ("the Chargé") signs as written.
      if (post?.chiefOfMission) chiefs.set(code, surnameOf(oneLine(post.chiefOfMission))?.surname ?? oneLine(post.chiefOfMission));
    }
    const names = new Map<string, string>();
    for (const id of new Set(officerIds)) {
      const displayName = asOf ? (await this.usersThen.load(id, { asOf }))?.profile.displayName : (await this.users.byId(id, db))?.displayName;
      if (displayName) names.set(id, oneLine(displayName));
    }
    return {
      designator: (code) => designators.get(code) ?? (code === 'SECSTATE' ? 'SECSTATE WASHDC' : (collectiveDesignator(code) ?? code)),
      displayName: (id) => names.get(id),
      chiefOfMission: (code) => chiefs.get(code),
    };
  }

  /**
   * What a cable's telegram names: its posts and collectives, and the officers who drafted, cleared
   * and approved it. A released cable never changes, its telegram included: it names them as they
   * stood at its release, `releasedAt` (when its CableReleased event was recorded: a post renamed
   * or given a new chief of mission since, an officer renamed, changes none of it). A draft's names
   * them as they are (read through `db` for the release that records its telegram).
   */
  async telegramDirectory(cable: Cable, releasedAt?: Date, db?: Db): Promise<TelegramDirectory> {
    const officers = [cable.drafter, ...cable.clearances.flatMap((c) => (c.by ? [c.by] : [])), ...(cable.approvedBy ? [cable.approvedBy] : [])];
    // A demarche's scope may name posts a collective addressee holds (ALDAC but TOKYO): named too.
    const scope = cable.draft.demarche?.scope;
    const scoped = [...(scope?.posts ?? []), ...(scope?.excludePosts ?? [])];
    return this.directory([cable.origin, ...cable.draft.actionAddressees, ...cable.draft.infoAddressees, ...scoped], officers.map((o) => o.id), releasedAt, db);
  }
}
