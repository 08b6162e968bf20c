import type { Principal } from './access.js';
import { allowedCableActions, allowedDeliveryActions, allowedFollowUpActions, asUnreleased, type CableAccess, mayActOnCable, mayReadCable, mayReadFollowUp, readDecision } from './need-to-know.js';

const person = (id: string, overrides: Partial<Principal> = {}): Principal => ({
  id, username: id, roles: ['drafter'], office: null, postCode: null, clearance: 'TOP_SECRET', ...overrides,
});
const drafter = person('drafter', { office: 'EAP/CM' });
const colleague = person('colleague', { office: 'EAP/CM', roles: ['drafter'] });
const legal = person('legal', { roles: ['clearer'], office: 'L' });
const isn = person('isn', { roles: ['clearer'], office: 'ISN' });
const approver = person('approver', { roles: ['approver'], office: 'EAP' });
const leader = person('leader', { roles: ['leadership'], office: 'S' });
const europe = person('europe', { office: 'EUR/WE' });
const auditor = person('auditor', { roles: ['auditor', 'admin'], office: 'OIG' });
const beijing = person('beijing', { roles: ['post_officer'], postCode: 'BEIJING' });
const tokyo = person('tokyo', { roles: ['post_officer'], postCode: 'TOKYO' });
const beijingAmbassador = person('bjamb', { roles: ['approver'], postCode: 'BEIJING' });

const draft: CableAccess = {
  classification: 'SECRET', captions: [], status: 'IN_CLEARANCE', origin: 'STATE', drafterId: 'drafter', draftingOffice: 'EAP/CM',
  clearances: [{ office: 'L', status: 'PENDING' }], actedBy: [], distribution: [], taskingDesks: [],
};
const released: CableAccess = { ...draft, status: 'RELEASED', clearances: [{ office: 'L', status: 'CLEARED' }], actedBy: ['legal', 'approver'], distribution: ['BEIJING'] };
const reads = (who: Principal, cable: CableAccess) => mayReadCable(who, cable).allowed;

describe('need to know', () => {
  it('gives a draft to its working party only: drafter, drafting office, clearing offices, approvers, leadership', () => {
    for (const who of [drafter, colleague, legal, approver, leader]) expect({ who: who.id, reads: reads(who, draft) }).toEqual({ who: who.id, reads: true });
    for (const who of [isn, europe, auditor, beijing, tokyo, beijingAmbassador]) expect({ who: who.id, reads: reads(who, draft) }).toEqual({ who: who.id, reads: false });
    expect(reads(beijing, { ...draft, status: 'CANCELLED' })).toBe(false);
  });

  it('gives a released cable also to the officers of the posts it went to, never to other posts', () => {
    expect(reads(beijing, released)).toBe(true);
    // The people bound to a post read what went to it: its officers, and its chief of mission
    // (an approver there), the principal a NODIS cable to the post is for.
    expect(reads(beijingAmbassador, released)).toBe(true);
    expect(reads(beijingAmbassador, { ...released, captions: ['NODIS'] })).toBe(true);
    expect(reads(beijingAmbassador, { ...released, distribution: ['TOKYO'] })).toBe(false);
    expect(reads(tokyo, released)).toBe(false);
    expect(reads(europe, released)).toBe(false);
    expect(reads(beijing, { ...released, captions: ['NODIS'] })).toBe(true);
    expect(reads(leader, { ...released, captions: ['NODIS'] })).toBe(true);
  });

  it('holds a drafter to where the cable originates: moved to another post, they neither read nor work the drafts left behind', () => {
    const toParis: Principal = { ...drafter, roles: ['post_officer'], office: null, postCode: 'PARIS' };
    expect(reads(toParis, draft)).toBe(false);
    expect(allowedCableActions(toParis, draft)).toEqual([]);
    // Moved within the Department, they are still its drafter.
    expect(allowedCableActions({ ...drafter, office: 'EUR/WE' }, { ...draft, clearances: [] })).toContain('submit');
    // A post's drafter moved to another post: the post's cable is no longer theirs.
    const postDraft: CableAccess = { ...draft, origin: 'BEIJING', drafterId: 'beijing', draftingOffice: null, clearances: [] };
    expect(allowedCableActions(beijing, postDraft)).toContain('submit');
    expect(reads({ ...beijing, postCode: 'TOKYO' }, postDraft)).toBe(false);
    expect(reads({ ...beijing, postCode: null, office: 'EAP/CM', roles: ['drafter'] }, postDraft)).toBe(false);
    // Who cleared or approved it, moved to another post since, is that post's people to it.
    const legalToTokyo: Principal = { ...legal, roles: ['post_officer'], office: null, postCode: 'TOKYO' };
    expect(reads(legalToTokyo, released)).toBe(false);
    expect(reads({ ...legal, office: 'EUR/WE' }, released)).toBe(true); // moved within the Department: acted on it
    expect(reads({ ...beijingAmbassador, postCode: 'PARIS' }, { ...postDraft, status: 'RELEASED', actedBy: ['bjamb'], distribution: ['SECSTATE'] })).toBe(false);
  });

  it('gives a post’s released reply to the Department to the desk that tasked it, not to the rest of the Department, nor when NODIS or EXDIS', () => {
    const report: CableAccess = {
      ...released, origin: 'BEIJING', drafterId: 'beijing', draftingOffice: null, clearances: [], actedBy: ['bjamb'], distribution: ['SECSTATE'],
      taskingDesks: [{ drafterId: 'drafter', draftingOffice: 'EAP/CM' }],
    };
    expect(reads(drafter, report)).toBe(true);
    expect(reads(colleague, report)).toBe(true);
    expect(reads(colleague, { ...report, captions: ['NODIS'] })).toBe(false);
    expect(reads(drafter, { ...report, captions: ['EXDIS'] })).toBe(false);
    // The desk of a NODIS or EXDIS tasking reads the NODIS or EXDIS replies to it.
    const narrowedTasking = { ...report, taskingDesks: [{ drafterId: 'drafter', draftingOffice: 'EAP/CM', narrowed: true }] };
    expect(reads(colleague, { ...narrowedTasking, captions: ['NODIS'] })).toBe(true);
    expect(reads(europe, { ...narrowedTasking, captions: ['NODIS'] })).toBe(false);
    expect(reads(drafter, { ...report, distribution: ['TOKYO'] })).toBe(false); // not a reply to the Department
    expect(reads(europe, report)).toBe(false);
    expect(reads(tokyo, report)).toBe(false);
    expect(reads(leader, { ...report, captions: ['EXDIS'] })).toBe(true);
    expect(reads(person('bj2', { roles: ['post_officer'], postCode: 'BEIJING' }), { ...report, status: 'DRAFT' })).toBe(true);
    expect(reads(colleague, { ...report, status: 'DRAFT' })).toBe(false);
    // The desk is in the Department: its drafter moved to a post (Tokyo's people now) reads no more.
    expect(reads({ ...drafter, roles: ['post_officer'], office: null, postCode: 'TOKYO' }, report)).toBe(false);
    expect(reads({ ...colleague, postCode: 'TOKYO' }, report)).toBe(false);
  });

  it('never gives a draft to another post’s people, whatever else they are', () => {
    const tokyoLeader = person('tl', { roles: ['leadership'], office: 'S', postCode: 'TOKYO' });
    expect(reads(tokyoLeader, draft)).toBe(false);
    expect(reads(tokyoLeader, released)).toBe(true);
  });

  it('bounds every rule by clearance', () => {
    for (const who of [drafter, leader, beijing]) expect(reads({ ...who, clearance: 'CONFIDENTIAL' }, released)).toBe(false);
    expect(reads({ ...beijing, clearance: 'UNCLASSIFIED' }, { ...released, classification: 'SBU' })).toBe(true);
  });

  it('reads a past version only under both its own marking then and the cable’s rule now', () => {
    const now = { ...released, classification: 'UNCLASSIFIED' as const };
    expect(readDecision({ ...beijing, clearance: 'UNCLASSIFIED' }, now).allowed).toBe(true);
    expect(readDecision({ ...beijing, clearance: 'UNCLASSIFIED' }, now, draft)).toEqual({ allowed: false, reason: expect.stringMatching(/at that version/) });
    expect(readDecision(beijing, now, { ...draft, status: 'RELEASED' }).allowed).toBe(true);
    expect(readDecision(tokyo, now, now).allowed).toBe(false);
  });

  it('keeps a released cable’s drafts to its working party: a post it went to reads the released version, not those before', () => {
    expect(readDecision(beijing, released, released).allowed).toBe(true);
    for (const status of ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED']) {
      expect({ status, beijing: readDecision(beijing, released, { ...released, status }).allowed }).toEqual({ status, beijing: false });
      expect({ status, drafter: readDecision(drafter, released, { ...released, status }).allowed, legal: readDecision(legal, released, { ...released, status }).allowed }).toEqual({ status, drafter: true, legal: true });
    }
  });

  it('lets nobody act on what they may not read, and names the actions each may take now', () => {
    expect(allowedCableActions(drafter, { ...draft, status: 'DRAFT', clearances: [] })).toEqual(['edit', 'requestClearance', 'submit', 'cancel']);
    expect(allowedCableActions(drafter, draft)).toEqual(['edit', 'requestClearance', 'withdrawClearance', 'cancel']);
    expect(allowedCableActions(legal, draft)).toEqual(['edit', 'clear']);
    // Once L has cleared, it answers again only when its clearance goes stale; it may still edit.
    expect(allowedCableActions(legal, { ...draft, clearances: [{ office: 'L', status: 'CLEARED' }] })).toEqual(['edit']);
    // Returned with a stale clearance: L re-clears in DRAFT, the drafter may not submit yet.
    const returned = { ...draft, status: 'DRAFT', clearances: [{ office: 'L', status: 'STALE' }] };
    expect(allowedCableActions(legal, returned)).toEqual(['edit', 'clear']);
    expect(allowedCableActions(drafter, returned)).toEqual(['edit', 'requestClearance', 'cancel']);
    expect(allowedCableActions({ ...legal, clearance: 'CONFIDENTIAL' }, draft)).toEqual([]);
    expect(allowedCableActions(approver, { ...draft, status: 'PENDING_APPROVAL' })).toEqual(['edit', 'approve', 'return', 'cancel']);
    // Approved, it is released or cancelled: no longer returned (domain.md lifecycle).
    expect(allowedCableActions(approver, { ...draft, status: 'APPROVED' })).toEqual(['release', 'cancel']);
    expect(mayActOnCable({ ...approver, clearance: 'UNCLASSIFIED' }, { ...draft, status: 'APPROVED' }, 'release').allowed).toBe(false);
    expect(allowedCableActions(approver, { ...draft, status: 'APPROVED', drafterId: 'approver' })).toEqual(['cancel']);
    // Nobody clears their own cable.
    const drafterAndClearer = person('dc', { roles: ['drafter', 'clearer'], office: 'L' });
    expect(allowedCableActions(drafterAndClearer, { ...draft, drafterId: 'dc' })).toEqual(['edit', 'requestClearance', 'withdrawClearance', 'cancel']);
    expect(allowedCableActions(beijing, released)).toEqual([]);
  });

  it('takes the drafter\'s work from a drafter whose drafting role was taken away, who keeps reading the draft', () => {
    const unclearedDraft = { ...draft, status: 'DRAFT', clearances: [] };
    const asAuditor = { ...drafter, roles: ['auditor' as const] };
    expect(reads(asAuditor, unclearedDraft)).toBe(true);
    expect(allowedCableActions(asAuditor, unclearedDraft)).toEqual([]);
    expect(mayActOnCable(asAuditor, unclearedDraft, 'submit')).toEqual({ allowed: false, reason: 'cables.draft needs one of the roles drafter, post_officer' });
    // A clearer now, of an office not asked: no edit as the drafter (the route's role allows edits).
    expect(allowedCableActions({ ...drafter, roles: ['clearer'] }, unclearedDraft)).toEqual([]);
    // Nor as a clearer of an office asked: nobody clears, or edits as a clearer, their own cable.
    expect(allowedCableActions({ ...drafter, roles: ['clearer'], office: 'L' }, draft)).toEqual([]);
    // An approver now: approves nothing of their own, and may still cancel it.
    expect(allowedCableActions({ ...drafter, roles: ['approver'] }, unclearedDraft)).toEqual(['cancel']);
    // Given a drafting role again, they work it again.
    expect(allowedCableActions({ ...drafter, roles: ['auditor', 'drafter'] }, unclearedDraft)).toEqual(['edit', 'requestClearance', 'submit', 'cancel']);
  });

  it('lets a post’s officers record its delivery, if they may read the campaign', () => {
    expect(allowedDeliveryActions(beijing, released, 'BEIJING', 'PENDING')).toEqual(['recordDelivery', 'recordNotDelivered', 'uploadDocument']);
    expect(allowedDeliveryActions(beijing, released, 'BEIJING', 'DELIVERED')).toEqual(['recordResponse', 'addContact', 'uploadDocument']);
    expect(allowedDeliveryActions(beijing, released, 'BEIJING', 'RESPONDED')).toEqual(['recordResponse', 'addContact', 'uploadDocument']);
    expect(allowedDeliveryActions(beijing, released, 'BEIJING', 'NOT_DELIVERED')).toEqual(['recordDelivery', 'uploadDocument']);
    expect(allowedDeliveryActions(tokyo, released, 'BEIJING', 'PENDING')).toEqual([]);
    expect(allowedDeliveryActions({ ...beijing, clearance: 'CONFIDENTIAL' }, released, 'BEIJING', 'PENDING')).toEqual([]);
  });

  it('reads a follow-up under its own classification and under what it is linked to', () => {
    const mine = { owner: { office: 'EUR/WE' }, createdBy: 'drafter' };
    const followUp = { classification: 'UNCLASSIFIED' as const, cable: null, campaign: { ...released, captions: ['NODIS'] }, ...mine };
    expect(mayReadFollowUp(beijing, followUp).allowed).toBe(true);
    expect(mayReadFollowUp(tokyo, followUp).allowed).toBe(false);
    expect(mayReadFollowUp(europe, { classification: 'SECRET', cable: null, campaign: null, ...mine }).allowed).toBe(true);
    expect(mayReadFollowUp({ ...europe, clearance: 'CONFIDENTIAL' }, { classification: 'SECRET', cable: null, campaign: null, ...mine }).allowed).toBe(false);
    // Linked to nothing and classified: its owner's people, its creator and leadership read it; no one else, however cleared.
    const unlinked = { classification: 'SECRET' as const, cable: null, campaign: null, ...mine };
    for (const who of [europe, drafter, leader]) expect({ who: who.id, reads: mayReadFollowUp(who, unlinked).allowed }).toEqual({ who: who.id, reads: true });
    for (const who of [beijing, tokyo, legal, auditor]) expect({ who: who.id, reads: mayReadFollowUp(who, unlinked).allowed }).toEqual({ who: who.id, reads: false });
    expect(mayReadFollowUp(beijing, { ...unlinked, owner: { post: 'BEIJING' } }).allowed).toBe(true);
    expect(mayReadFollowUp(beijingAmbassador, { ...unlinked, owner: { post: 'BEIJING' } }).allowed).toBe(true);
    expect(mayReadFollowUp(tokyo, { ...unlinked, owner: { post: 'BEIJING' } }).allowed).toBe(false);
    // Unclassified, any user reads it.
    for (const who of [beijing, tokyo, legal, auditor]) expect(mayReadFollowUp(who, { ...unlinked, classification: 'SBU' }).allowed).toBe(true);
    expect(mayReadFollowUp(leader, { ...followUp, missingLink: true }).allowed).toBe(false);
    const owned = { ...followUp, createdBy: 'drafter', owner: { post: 'TOKYO' }, status: 'OPEN' };
    expect(allowedFollowUpActions(tokyo, owned)).toEqual([]);
    expect(allowedFollowUpActions(drafter, owned)).toEqual(['edit', 'reassign', 'start', 'complete', 'cancel', 'comment']);
    // Its creator works it while they may open follow-ups: made an auditor, or a clearer elsewhere, they only read it.
    for (const changed of [{ ...drafter, roles: ['auditor'], office: 'OIG' }, { ...drafter, roles: ['clearer'], office: 'L' }] as Principal[]) {
      expect({ roles: changed.roles, reads: mayReadFollowUp(changed, owned).allowed, actions: allowedFollowUpActions(changed, owned) }).toEqual({ roles: changed.roles, reads: true, actions: [] });
    }
    expect(allowedFollowUpActions({ ...drafter, roles: ['leadership'], office: 'S' }, owned)).toEqual(['edit', 'reassign', 'start', 'complete', 'cancel', 'comment']);
    const frontOffice = person('fo', { roles: ['leadership'], office: 'EAP' });
    expect(allowedFollowUpActions(frontOffice, owned)).toEqual([]);
    expect(allowedFollowUpActions(frontOffice, { ...owned, escalatedTo: 'EAP' })).toEqual(['reassign']);
    expect(allowedFollowUpActions(person('fo2', { roles: ['leadership'], office: 'EUR' }), { ...owned, escalatedTo: 'EAP' })).toEqual([]);
  });

  it('reads a follow-up written under a draft as the draft is read, by its working party only, after the cable is released too', () => {
    const writtenAfter = { classification: 'UNCLASSIFIED' as const, cable: released, campaign: null, owner: { office: 'EAP/CM' }, createdBy: 'drafter' };
    const writtenUnder = { ...writtenAfter, writtenUnderDraft: true };
    // The posts the cable went to read it and what was written on it since, not the deliberation before.
    for (const who of [beijing, beijingAmbassador]) {
      expect(mayReadFollowUp(who, writtenAfter).allowed).toBe(true);
      expect(mayReadFollowUp(who, writtenUnder)).toEqual({ allowed: false, reason: "linked: written while the cable was a draft, it stays its working party's" });
    }
    for (const who of [drafter, colleague, legal, approver, leader]) expect({ who: who.id, reads: mayReadFollowUp(who, writtenUnder).allowed }).toEqual({ who: who.id, reads: true });
    for (const who of [isn, europe, auditor, tokyo]) expect({ who: who.id, reads: mayReadFollowUp(who, writtenUnder).allowed }).toEqual({ who: who.id, reads: false });
    // It is about its cable: a campaign link (always released: a release opens it) is read as it is.
    // A follow-up on Beijing's draft reply to the campaign is Beijing's to read and work.
    const reply: CableAccess = { ...draft, origin: 'BEIJING', drafterId: 'beijing', draftingOffice: null, status: 'DRAFT', clearances: [], distribution: ['SECSTATE'] };
    const onReply = { classification: 'UNCLASSIFIED' as const, cable: reply, campaign: released, writtenUnderDraft: true, owner: { post: 'BEIJING' }, createdBy: 'beijing' };
    for (const who of [beijing, beijingAmbassador, leader]) expect({ who: who.id, reads: mayReadFollowUp(who, onReply).allowed }).toEqual({ who: who.id, reads: true });
    expect(mayReadFollowUp(drafter, onReply).allowed).toBe(false);
    expect(allowedFollowUpActions(beijing, { ...onReply, createdBy: 'beijing', owner: { post: 'BEIJING' }, status: 'OPEN' })).toContain('comment');
    // Clearance still bounds it.

    expect(mayReadFollowUp({ ...leader, clearance: 'CONFIDENTIAL' }, writtenUnder).allowed).toBe(false);
    // Owners are judged by the same reading: Beijing's officers cannot own it.
    expect(allowedFollowUpActions(beijing, { ...writtenUnder, createdBy: 'drafter', owner: { post: 'BEIJING' }, status: 'OPEN' })).toEqual([]);
    expect(asUnreleased(draft)).toBe(draft);
    expect(asUnreleased(released).status).not.toBe('RELEASED');
  });
});
