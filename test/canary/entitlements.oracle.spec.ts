/**
 * The oracle checked against small cases that read straight off the rules (domain.md "Who reads
 * what", "Clearing is joint drafting", "Follow-ups"; api.md route tables and Additions). Each test
 * names the rule row it exercises.
 */
import {
  ACTION_RULES,
  GUARDS,
  INTERPRETATIONS,
  READ_RULES,
  allowedActions,
  entitled,
  followUpMarkings,
  mayAct,
  mayCreateFollowUp,
  mayRead,
  mayReadVersion,
  visible,
  type CableRecord,
  type CampaignRecord,
  type DeliveryRecord,
  type FollowUpRecord,
  type User,
} from './entitlements.oracle.js';

const user = (id: string, u: Omit<User, 'id' | 'username'>): User => ({ id, username: id, ...u });

// Department side.
const drafter = user('jdoe', { roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
const colleague = user('colleague', { roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
const eapFront = user('eapfront', { roles: ['drafter'], office: 'EAP', clearance: 'SECRET' });
const otherDesk = user('weur', { roles: ['drafter'], office: 'EUR/WE', clearance: 'TOP_SECRET' });
const lClearer = user('lclear', { roles: ['clearer'], office: 'L', clearance: 'SECRET' });
const lClearerLow = user('lclearlow', { roles: ['clearer'], office: 'L', clearance: 'UNCLASSIFIED' });
const lMember = user('lmember', { roles: ['drafter'], office: 'L', clearance: 'SECRET' });
const ebClearer = user('ebclear', { roles: ['clearer'], office: 'EB', clearance: 'SECRET' });
const approver = user('appr', { roles: ['approver'], office: 'EAP', clearance: 'SECRET' });
const approverLow = user('apprlow', { roles: ['approver'], office: 'EAP', clearance: 'CONFIDENTIAL' });
const leader = user('lead', { roles: ['leadership'], office: 'S', clearance: 'TOP_SECRET' });
const leaderLow = user('leadlow', { roles: ['leadership'], office: 'S', clearance: 'UNCLASSIFIED' });
const eapLeader = user('eaplead', { roles: ['leadership'], office: 'EAP', clearance: 'SECRET' });
const auditor = user('aud', { roles: ['auditor'], clearance: 'TOP_SECRET' });
const admin = user('admin', { roles: ['admin'], clearance: 'TOP_SECRET' });
const drafterClearer = user('drcl', { roles: ['drafter', 'clearer'], office: 'L', clearance: 'SECRET' });
const drafterApprover = user('drap', { roles: ['drafter', 'approver'], office: 'EAP/CM', clearance: 'SECRET' });
// Posts.
const beijing = user('bjpol', { roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
const beijing2 = user('bjecon', { roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
const beijingLow = user('bjlow', { roles: ['post_officer'], postCode: 'BEIJING', clearance: 'UNCLASSIFIED' });
const beijingApprover = user('bjdcm', { roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' });
const tokyo = user('tkpol', { roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' });
const tokyoLeader = user('tklead', { roles: ['post_officer', 'leadership'], postCode: 'TOKYO', clearance: 'TOP_SECRET' });

/** A Department cable drafted by jdoe in EAP/CM, asked of L. */
const cable = (over: Partial<CableRecord> = {}): CableRecord => ({
  kind: 'cable',
  classification: 'CONFIDENTIAL',
  captions: [],
  status: 'IN_CLEARANCE',
  origin: 'STATE',
  drafterId: drafter.id,
  draftingOffice: 'EAP/CM',
  clearances: [{ office: 'L', state: 'PENDING' }],
  distribution: [],
  ...over,
});
const releasedTo = (posts: string[], over: Partial<CableRecord> = {}): CableRecord =>
  cable({ status: 'RELEASED', clearances: [{ office: 'L', state: 'CLEARED' }], distribution: posts, ...over });
/** A Beijing cable drafted by bjpol. */
const postCable = (over: Partial<CableRecord> = {}): CableRecord =>
  cable({ origin: 'BEIJING', drafterId: beijing.id, draftingOffice: null, clearances: [], status: 'DRAFT', ...over });

const readers = (r: Parameters<typeof mayRead>[1], users: User[], opts = {}) =>
  users.filter((u) => mayRead(u, r, opts).allowed).map((u) => u.id);
const everyone = [
  drafter, colleague, eapFront, otherDesk, lClearer, lClearerLow, lMember, ebClearer, approver, approverLow, leader, leaderLow,
  eapLeader, auditor, admin, beijing, beijing2, beijingLow, beijingApprover, tokyo, tokyoLeader,
];

describe('the rule table', () => {
  it('has unique ids, a source and a basis on every row, and every interpretation row is explained', () => {
    const rows = [...READ_RULES, ...ACTION_RULES, ...GUARDS];
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const r of rows) {
      expect(r.source.length).toBeGreaterThan(0);
      expect(['text', 'derived', 'interpretation']).toContain(r.basis);
    }
    expect(Object.keys(INTERPRETATIONS).length).toBeGreaterThan(10);
  });
});

describe('reading cables', () => {
  it('R-clearance: nobody sees a cable above their level; SBU needs no more than UNCLASSIFIED', () => {
    expect(mayRead(beijingLow, releasedTo(['BEIJING'])).allowed).toBe(false);
    expect(mayRead(beijingLow, releasedTo(['BEIJING'], { classification: 'SBU' })).allowed).toBe(true);
    expect(mayRead(beijingLow, releasedTo(['BEIJING'], { classification: 'UNCLASSIFIED' })).allowed).toBe(true);
    expect(mayRead(beijing, releasedTo(['BEIJING'], { classification: 'TOP_SECRET' })).allowed).toBe(false);
    // Bounds every rule, the drafter and leadership included.
    expect(mayRead(drafter, cable({ classification: 'TOP_SECRET' })).allowed).toBe(false);
    expect(mayRead(leaderLow, cable()).allowed).toBe(false);
    expect(mayRead(leaderLow, cable()).rules).toEqual(['R-clearance']);
  });

  it('a draft is read by its working party only: drafter, drafting office, offices asked to clear, its approvers, leadership', () => {
    for (const status of ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED', 'CANCELLED'] as const) {
      expect(readers(cable({ status }), everyone)).toEqual([
        drafter.id, colleague.id, lClearer.id, lMember.id, approver.id, approverLow.id, leader.id, eapLeader.id,
      ]);
    }
  });

  it('the working party is not: another desk, an office not asked, a parent office, auditors, admins, any post', () => {
    for (const u of [otherDesk, ebClearer, eapFront, auditor, admin, beijing, beijingApprover, tokyo]) {
      const d = mayRead(u, cable());
      expect([u.id, d.allowed]).toEqual([u.id, false]);
      expect(d.certain).toBe(true);
    }
  });

  it('R-clearing-offices: in "clearers" mode only the office\'s clearers read; membership is the exact symbol', () => {
    expect(mayRead(lMember, cable(), { clearingOfficeReaders: 'clearers' }).allowed).toBe(false);
    expect(mayRead(lClearer, cable(), { clearingOfficeReaders: 'clearers' }).allowed).toBe(true);
    // A withdrawn request is no longer "asked": the test drops it.
    expect(mayRead(lClearer, cable({ clearances: [] })).allowed).toBe(false);
    // Still the working party after their answer, and after release.
    expect(mayRead(lClearer, cable({ clearances: [{ office: 'L', state: 'NON_CONCUR' }] })).allowed).toBe(true);
    expect(mayRead(lClearer, releasedTo(['BEIJING'])).allowed).toBe(true);
  });

  it('I-drafter-placed: a drafter moved to another post reads and works none of the drafts left behind; one moved within the Department keeps them', () => {
    const toParis = { ...drafter, office: null, roles: ['post_officer'] as User['roles'], postCode: 'PARIS' };
    expect(mayRead(toParis, cable()).allowed).toBe(false);
    expect(mayRead(toParis, cable()).rules).toContain('R-draft-other-post');
    expect(mayRead({ ...drafter, office: 'EUR/WE' }, cable()).allowed).toBe(true);
    const postDrafter = beijing;
    const movedToTokyo = { ...postDrafter, postCode: 'TOKYO' };
    expect(mayRead(postDrafter, postCable()).allowed).toBe(true);
    expect(mayRead(movedToTokyo, postCable()).allowed).toBe(false);
  });

  it('R-draft-other-post: never another post\'s officers, even one who is also leadership', () => {
    expect(mayRead(tokyoLeader, cable()).allowed).toBe(false);
    expect(mayRead(tokyoLeader, cable()).rules).toEqual(['R-draft-other-post']);
    expect(mayRead(tokyo, postCable()).allowed).toBe(false);
  });

  it('a released cable: working party and the officers of the posts it went to, no one else', () => {
    const c = releasedTo(['BEIJING']);
    expect(readers(c, everyone)).toEqual([
      drafter.id, colleague.id, lClearer.id, lMember.id, approver.id, approverLow.id, leader.id, eapLeader.id, beijing.id, beijing2.id, beijingApprover.id, tokyoLeader.id,
    ]);
    expect(mayRead(tokyo, c).allowed).toBe(false);
    expect(mayRead(otherDesk, c).allowed).toBe(false);
    expect(mayRead(auditor, c).allowed).toBe(false);
    // A post's approver (its chief of mission) is bound to it too: what went to the post reaches them (I-officers).
    expect(mayRead(beijingApprover, c).allowed).toBe(true);
    expect(mayRead(beijingApprover, releasedTo(['TOKYO'])).allowed).toBe(false);
  });

  it('R-exdis-nodis: narrows to working party, leadership and addressed posts\' officers', () => {
    for (const caption of ['EXDIS', 'NODIS']) {
      const c = releasedTo(['BEIJING'], { captions: [caption] });
      expect(mayRead(beijing, c).allowed).toBe(true);
      expect(mayRead(leader, c).allowed).toBe(true);
      expect(mayRead(tokyo, c).allowed).toBe(false);
      expect(mayRead(drafter, c).rules).toContain('R-exdis-nodis');
      // Before release it is a draft like any other.
      expect(mayRead(beijing, cable({ captions: [caption] })).allowed).toBe(false);
    }
  });

  it('a post cable: that post\'s approvers, not the Department\'s; the post\'s own officers (interpretation)', () => {
    const c = postCable();
    expect(mayRead(beijing, c).allowed).toBe(true);
    expect(mayRead(beijingApprover, c).allowed).toBe(true);
    expect(mayRead(approver, c).allowed).toBe(false);
    expect(mayRead(leader, c).allowed).toBe(true);
    expect(mayRead(beijing2, c)).toEqual({ allowed: true, rules: ['R-origin-post'], certain: false });
  });

  it('R-tasking-desk: the desk reads a post\'s released reply citing its tasking (interpretation)', () => {
    const tasking = releasedTo(['BEIJING'], { cableKind: 'INSTRUCTION' });
    const reply = postCable({ status: 'RELEASED', distribution: ['SECSTATE'], refs: [tasking] });
    expect(mayRead(drafter, reply)).toEqual({ allowed: true, rules: ['R-tasking-desk'], certain: false });
    expect(mayRead(colleague, reply).allowed).toBe(true);
    expect(mayRead(otherDesk, reply).allowed).toBe(false);
    expect(mayRead(drafter, { ...reply, status: 'APPROVED' }).allowed).toBe(false);
  });

  it('R-tasking-desk: a REF to anything but a tasking of the post widens nothing; NODIS and EXDIS replies narrow the desk out', () => {
    const tasking = releasedTo(['BEIJING'], { cableKind: 'INSTRUCTION' });
    const reply = postCable({ status: 'RELEASED', distribution: ['SECSTATE'], refs: [tasking] });
    expect(mayRead(drafter, { ...reply, refs: [{ ...tasking, cableKind: 'INFORMATIONAL' }] }).allowed).toBe(false);
    expect(mayRead(drafter, { ...reply, refs: [releasedTo(['TOKYO'], { cableKind: 'INSTRUCTION' })] }).allowed).toBe(false);
    expect(mayRead(drafter, { ...reply, distribution: ['TOKYO'] }).allowed).toBe(false);
    expect(mayRead(tokyo, { ...reply, refs: [postCable({ origin: 'TOKYO', drafterId: tokyo.id, status: 'RELEASED', distribution: ['SECSTATE'] })] }).allowed).toBe(false);
    expect(mayRead(drafter, { ...reply, captions: ['NODIS'] }).allowed).toBe(false);
    expect(mayRead(colleague, { ...reply, captions: ['EXDIS'] }).allowed).toBe(false);
    expect(mayRead(leader, { ...reply, captions: ['NODIS'] }).allowed).toBe(true);
    // A NODIS tasking's desk reads the NODIS replies to it.
    const nodisTasking = { ...tasking, captions: ['NODIS'] };
    expect(mayRead(drafter, { ...reply, captions: ['NODIS'], refs: [nodisTasking] }).allowed).toBe(true);
    expect(mayRead(otherDesk, { ...reply, captions: ['NODIS'], refs: [nodisTasking] }).allowed).toBe(false);
  });

  it('past versions need both the version and the current record readable', () => {
    const nowConfidential = releasedTo(['BEIJING'], { classification: 'CONFIDENTIAL' });
    const confidentialReader = { ...beijing, clearance: 'CONFIDENTIAL' as const };
    expect(mayReadVersion(confidentialReader, nowConfidential, { classification: 'SECRET', captions: [] }).allowed).toBe(false);
    expect(mayReadVersion(confidentialReader, nowConfidential, { classification: 'UNCLASSIFIED', captions: [] }).allowed).toBe(true);
    const nowSecret = releasedTo(['BEIJING'], { classification: 'SECRET' });
    expect(mayReadVersion(confidentialReader, nowSecret, { classification: 'UNCLASSIFIED', captions: [] }).allowed).toBe(false);
    expect(mayReadVersion(tokyo, nowSecret, { classification: 'UNCLASSIFIED', captions: [] }).allowed).toBe(false);
  });

  it('visible: a list shows only what the caller may read', () => {
    const a = releasedTo(['BEIJING']);
    const b = releasedTo(['TOKYO']);
    const d = cable();
    expect(visible(beijing, [a, b, d])).toEqual([a]);
    expect(visible(leader, [a, b, d])).toEqual([a, b, d]);
  });
});

describe('reading campaigns, deliveries and follow-ups', () => {
  const tasking = releasedTo(['BEIJING', 'TOKYO'], { classification: 'SECRET' });
  const campaign: CampaignRecord = { kind: 'campaign', cable: tasking };
  const delivery = (post: string, status: DeliveryRecord['status'] = 'PENDING'): DeliveryRecord => ({ kind: 'delivery', campaign, post, status });

  it('R-campaign, R-delivery: read under their cable\'s rules', () => {
    expect(readers(campaign, everyone)).toEqual(readers(tasking, everyone));
    expect(mayRead(beijingLow, campaign).allowed).toBe(false);
    expect(mayRead(otherDesk, delivery('BEIJING')).allowed).toBe(false);
    expect(mayRead(beijing, delivery('BEIJING'))).toMatchObject({ allowed: true, certain: true });
    // Another distribution post's delivery: allowed, but flagged as an interpretation.
    expect(mayRead(beijing, delivery('TOKYO'))).toMatchObject({ allowed: true, certain: false });
    const onlyBeijing: CampaignRecord = { kind: 'campaign', cable: releasedTo(['BEIJING'], { classification: 'SECRET' }) };
    expect(mayRead(tokyo, onlyBeijing).allowed).toBe(false);
  });

  const followUp = (over: Partial<FollowUpRecord> = {}): FollowUpRecord => ({
    kind: 'followUp',
    status: 'OPEN',
    owner: { post: 'BEIJING' },
    creatorId: drafter.id,
    ...over,
  });

  it('R-fu-clearance: a follow-up carries the markings of what it links to, and its own if higher', () => {
    expect(followUpMarkings(followUp({ campaign }))).toEqual({ classification: 'SECRET', captions: [] });
    expect(followUpMarkings(followUp({ classification: 'TOP_SECRET', campaign })).classification).toBe('TOP_SECRET');
    expect(followUpMarkings(followUp({ cable: releasedTo(['BEIJING'], { classification: 'SBU', captions: ['NOFORN'] }) }))).toEqual({
      classification: 'SBU',
      captions: ['NOFORN'],
    });
    expect(mayRead(beijingLow, followUp({ campaign })).allowed).toBe(false);
    expect(mayRead(beijing, followUp({ classification: 'TOP_SECRET', campaign })).allowed).toBe(false);
  });

  it('R-fu-linked: read under the linked record (default) or under its markings only (option)', () => {
    const f = followUp({ campaign: { kind: 'campaign', cable: releasedTo(['BEIJING'], { classification: 'SECRET' }) } });
    expect(mayRead(beijing, f).allowed).toBe(true);
    expect(mayRead(tokyo, f)).toMatchObject({ allowed: false, certain: false });
    expect(mayRead(tokyo, f, { followUpReading: 'markings' }).allowed).toBe(true);
    expect(mayRead(beijingLow, f, { followUpReading: 'markings' }).allowed).toBe(false);
    const exdis = followUp({ campaign: { kind: 'campaign', cable: releasedTo(['BEIJING'], { captions: ['EXDIS'] }) } });
    expect(mayRead(tokyo, exdis, { followUpReading: 'markings' }).allowed).toBe(false);
  });

  it('R-fu-any-user: an UNCLASSIFIED or SBU follow-up linked to nothing is read by any user', () => {
    expect(mayRead(tokyo, followUp()).allowed).toBe(true);
    expect(mayRead(auditor, followUp()).allowed).toBe(true);
    expect(mayRead(tokyo, followUp({ post: 'BEIJING' })).allowed).toBe(true);
    const all = everyone.map((u) => u.id);
    expect(readers(followUp(), everyone)).toEqual(all);
    expect(readers(followUp({ classification: 'UNCLASSIFIED', owner: { office: 'L' } }), everyone)).toEqual(all);
    // SBU needs no clearance above UNCLASSIFIED, and is not "CONFIDENTIAL or above".
    expect(readers(followUp({ classification: 'SBU', owner: { office: 'L' } }), everyone)).toEqual(all);
    expect(mayRead(beijingLow, followUp({ classification: 'SBU', owner: { office: 'L' } }))).toEqual({ allowed: true, rules: ['R-fu-any-user'], certain: true });
    expect(mayRead(admin, followUp({ classification: 'SBU', owner: { office: 'L' } })).rules).not.toContain('R-fu-unlinked-classified');
  });
});

describe('R-fu-unlinked-classified: a CONFIDENTIAL-or-above follow-up linked to nothing (README decision)', () => {
  // The owning office's members are anyone whose office is its symbol, any role (the lead's note).
  const lAuditor = user('laud', { roles: ['auditor'], office: 'L', clearance: 'SECRET' });
  const lAdmin = user('ladm', { roles: ['admin'], office: 'L', clearance: 'SECRET' });
  const population = [...everyone, drafterClearer, drafterApprover, lAuditor, lAdmin];
  /** Created by jdoe (EAP/CM), linked to nothing. */
  const unlinked = (over: Partial<FollowUpRecord> = {}): FollowUpRecord => ({
    kind: 'followUp',
    status: 'OPEN',
    classification: 'SECRET',
    owner: { office: 'L' },
    creatorId: drafter.id,
    ...over,
  });

  it('owned by an office: its members (any role), its creator and leadership, within their clearance; nobody else', () => {
    const f = unlinked();
    expect(readers(f, population)).toEqual([drafter.id, lClearer.id, lMember.id, leader.id, eapLeader.id, tokyoLeader.id, drafterClearer.id, lAuditor.id, lAdmin.id]);
    expect(mayRead(lMember, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-owner', 'R-fu-owner-people'], certain: true });
    expect(mayRead(lAuditor, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-owner-people'], certain: true });
    expect(mayRead(drafter, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-creator'], certain: true });
    expect(mayRead(leader, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-leadership'], certain: true });
    // Refused, for certain, to cleared users with no part in it: the creator's office, another
    // office, a post, a Department approver, an auditor and an admin of no owning office.
    for (const u of [colleague, otherDesk, ebClearer, approver, beijing, beijingApprover, tokyo, auditor, admin]) {
      expect(mayRead(u, f)).toEqual({ allowed: false, rules: ['R-fu-unlinked-classified', 'no-grant'], certain: true });
    }
    // Offices match by exact symbol: EAP does not own what L (or EAP/CM) owns, nor the other way.
    expect(mayRead(eapFront, unlinked({ owner: { office: 'EAP' } })).allowed).toBe(true);
    expect(mayRead(colleague, unlinked({ owner: { office: 'EAP' } })).allowed).toBe(false);
  });

  it("owned by a post: the people bound to it (its post officers and its approvers), its creator and leadership; not another post's", () => {
    const f = unlinked({ owner: { post: 'BEIJING' } });
    expect(readers(f, population)).toEqual([drafter.id, leader.id, eapLeader.id, beijing.id, beijing2.id, beijingApprover.id, tokyoLeader.id]);
    expect(mayRead(beijing, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-owner', 'R-fu-owner-people'], certain: true });
    expect(mayRead(beijingApprover, f)).toEqual({ allowed: true, rules: ['R-fu-unlinked-classified', 'R-fu-owner-people'], certain: true });
    for (const u of [tokyo, approver, lClearer, colleague, auditor, admin]) expect(mayRead(u, f)).toMatchObject({ allowed: false, certain: true });
    // Its approver reads it but does not work it (owning, for acting, is the post's officers).
    expect(allowedActions(beijingApprover, f)).toEqual([]);
    expect(allowedActions(beijing, f)).toContain('start');
    expect(allowedActions(lAuditor, unlinked())).toEqual([]);
  });

  it('reassigned: the new owner\'s people read it, the old one\'s stop; its creator still does', () => {
    const before = unlinked({ owner: { office: 'L' } });
    const after = { ...before, owner: { post: 'TOKYO' } };
    expect(mayRead(lMember, before).allowed).toBe(true);
    expect(mayRead(lMember, after)).toEqual({ allowed: false, rules: ['R-fu-unlinked-classified', 'no-grant'], certain: true });
    expect(mayRead(lClearer, after).allowed).toBe(false);
    expect(mayRead(lAuditor, after).allowed).toBe(false);
    expect(mayRead(tokyo, before).allowed).toBe(false);
    expect(mayRead(tokyo, after).allowed).toBe(true);
    expect(mayRead(drafter, after).allowed).toBe(true);
    // And back from a post to an office.
    const moved = unlinked({ owner: { post: 'BEIJING' } });
    expect(mayRead(beijingApprover, { ...moved, owner: { office: 'EB' } }).allowed).toBe(false);
    expect(mayRead(ebClearer, { ...moved, owner: { office: 'EB' } }).allowed).toBe(true);
  });

  it('clearance bounds every one of them (R-fu-clearance), the owner\'s people, the creator and leadership alike', () => {
    const f = unlinked();
    expect(mayRead(lClearerLow, f)).toEqual({ allowed: false, rules: ['R-fu-clearance'], certain: true });
    expect(mayRead(leaderLow, f)).toEqual({ allowed: false, rules: ['R-fu-clearance'], certain: true });
    expect(mayRead(beijingLow, unlinked({ owner: { post: 'BEIJING' } }))).toEqual({ allowed: false, rules: ['R-fu-clearance'], certain: true });
    const topSecret = unlinked({ classification: 'TOP_SECRET' });
    expect(readers(topSecret, population)).toEqual([leader.id, tokyoLeader.id]); // jdoe (the creator) and L are SECRET
    expect(mayRead(drafter, topSecret).rules).toEqual(['R-fu-clearance']);
    // CONFIDENTIAL is "CONFIDENTIAL or above": narrowed too, and bounded the same way.
    const confidential = unlinked({ classification: 'CONFIDENTIAL', owner: { post: 'BEIJING' } });
    expect(mayRead(tokyo, confidential)).toEqual({ allowed: false, rules: ['R-fu-unlinked-classified', 'no-grant'], certain: true });
    expect(mayRead(beijing, confidential).allowed).toBe(true);
    expect(mayRead(beijingLow, confidential).rules).toEqual(['R-fu-clearance']);
    expect(mayRead(approverLow, unlinked({ classification: 'CONFIDENTIAL', owner: { office: 'EAP' } })).allowed).toBe(true);
  });

  it('with EXDIS/NODIS too (R-fu-need-to-know keeps the owner\'s people), and in either followUpReading mode', () => {
    const f = unlinked({ owner: { post: 'BEIJING' }, captions: ['EXDIS'] });
    expect(readers(f, population)).toEqual(readers(unlinked({ owner: { post: 'BEIJING' } }), population));
    expect(mayRead(beijingApprover, f)).toMatchObject({ allowed: true, certain: false });
    expect(readers(unlinked(), population, { followUpReading: 'markings' })).toEqual(readers(unlinked(), population));
    // An unclassified EXDIS one is narrowed only by need to know, as before.
    expect(mayRead(tokyo, unlinked({ classification: 'UNCLASSIFIED', captions: ['NODIS'] }))).toMatchObject({ allowed: false, rules: ['R-fu-need-to-know', 'no-grant'] });
  });

  it('a linked follow-up is not this rule\'s: it is read under what it links to', () => {
    const linked = unlinked({ cable: releasedTo(['TOKYO'], { classification: 'SECRET', clearances: [] }) }); // L not asked
    expect(mayRead(tokyo, linked).rules).not.toContain('R-fu-unlinked-classified');
    expect(mayRead(tokyo, linked).allowed).toBe(true);
    expect(mayRead(lAuditor, linked).allowed).toBe(false);
  });
});

describe('acting on cables', () => {
  it('G-read: acting requires reading (403 whatever the role)', () => {
    const secret = cable({ classification: 'SECRET', status: 'PENDING_APPROVAL', clearances: [{ office: 'L', state: 'CLEARED' }] });
    expect(mayAct(approverLow, secret, 'approve')).toMatchObject({ allowed: false, rules: expect.arrayContaining(['G-read']) });
    expect(mayAct(lClearerLow, cable({ classification: 'SECRET' }), 'clear', { office: 'L' }).allowed).toBe(false);
    expect(entitled(approverLow, secret, 'approve')).toBe(false);
  });

  it('edit: the drafter on a draft; a clearer of an office asked; the approver of a submitted cable; nobody after', () => {
    expect(mayAct(drafter, cable({ status: 'DRAFT' }), 'edit').allowed).toBe(true);
    expect(mayAct(colleague, cable({ status: 'DRAFT' }), 'edit').allowed).toBe(false); // reads it, may not edit
    expect(mayAct(lClearer, cable(), 'edit').allowed).toBe(true);
    expect(mayAct(lMember, cable(), 'edit').allowed).toBe(false); // not a clearer
    expect(mayAct(ebClearer, cable(), 'edit').allowed).toBe(false);
    expect(mayAct(approver, cable({ status: 'PENDING_APPROVAL', clearances: [] }), 'edit').allowed).toBe(true);
    expect(mayAct(approver, cable({ status: 'IN_CLEARANCE' }), 'edit').allowed).toBe(false);
    for (const status of ['APPROVED', 'RELEASED', 'CANCELLED'] as const) {
      for (const u of [drafter, lClearer, approver]) expect(mayAct(u, cable({ status }), 'edit').allowed).toBe(false);
    }
  });

  it('requestClearance and withdrawClearance: its drafter, before submission; withdraw only an undecided (or non-concur) request', () => {
    expect(mayAct(drafter, cable({ status: 'DRAFT', clearances: [] }), 'requestClearance').allowed).toBe(true);
    expect(mayAct(lClearer, cable(), 'requestClearance').allowed).toBe(false);
    expect(mayAct(drafter, cable(), 'withdrawClearance', { office: 'L' }).allowed).toBe(true);
    expect(mayAct(drafter, cable({ clearances: [{ office: 'L', state: 'CLEARED' }] }), 'withdrawClearance', { office: 'L' }).allowed).toBe(false);
    expect(mayAct(approver, cable(), 'withdrawClearance', { office: 'L' }).allowed).toBe(false);
    expect(mayAct(drafter, cable({ status: 'PENDING_APPROVAL' }), 'requestClearance').allowed).toBe(false);
  });

  it('clear: a clearer of that office, for that office, while pending or stale, before approval', () => {
    expect(mayAct(lClearer, cable(), 'clear', { office: 'L' }).allowed).toBe(true);
    expect(mayAct(lClearer, cable(), 'clear', { office: 'EB' }).allowed).toBe(false);
    expect(mayAct(lMember, cable(), 'clear', { office: 'L' }).allowed).toBe(false);
    expect(mayAct(ebClearer, cable({ clearances: [{ office: 'L', state: 'PENDING' }, { office: 'EB', state: 'PENDING' }] }), 'clear', { office: 'L' }).allowed).toBe(false);
    expect(mayAct(lClearer, cable({ status: 'DRAFT', clearances: [{ office: 'L', state: 'STALE' }] }), 'clear', { office: 'L' }).allowed).toBe(true);
    expect(mayAct(lClearer, cable({ status: 'PENDING_APPROVAL', clearances: [{ office: 'L', state: 'STALE' }] }), 'clear', { office: 'L' }).allowed).toBe(false);
  });

  it('G-own-cable: nobody clears their own cable', () => {
    const own = cable({ drafterId: drafterClearer.id, draftingOffice: 'L' });
    expect(mayAct(drafterClearer, own, 'clear', { office: 'L' })).toEqual({ allowed: false, rules: ['G-own-cable'], certain: true });
    expect(mayAct(lClearer, own, 'clear', { office: 'L' }).allowed).toBe(true);
  });

  it('submit: its drafter, once every clearance is given', () => {
    const cleared = cable({ clearances: [{ office: 'L', state: 'CLEARED_WITH_COMMENTS' }] });
    expect(mayAct(drafter, cleared, 'submit').allowed).toBe(true);
    expect(mayAct(approver, cleared, 'submit').allowed).toBe(false);
    for (const state of ['PENDING', 'STALE', 'NON_CONCUR'] as const) {
      const d = mayAct(drafter, cable({ clearances: [{ office: 'L', state }] }), 'submit');
      expect(d.allowed).toBe(false);
      expect(d.rules[0]).toBe('state');
      expect(entitled(drafter, cable({ clearances: [{ office: 'L', state }] }), 'submit')).toBe(true);
    }
  });

  it('approve: an approver who may approve it, never its drafter, only while pending approval', () => {
    const pending = cable({ status: 'PENDING_APPROVAL', clearances: [{ office: 'L', state: 'CLEARED' }] });
    expect(mayAct(approver, pending, 'approve').allowed).toBe(true);
    expect(mayAct(beijingApprover, pending, 'approve').allowed).toBe(false); // a post's approver, Department cable
    expect(mayAct(drafter, pending, 'approve').allowed).toBe(false);
    expect(mayAct(leader, pending, 'approve').allowed).toBe(false);
    expect(mayAct(approver, cable({ clearances: [{ office: 'L', state: 'CLEARED' }] }), 'approve').allowed).toBe(false);
    const own = { ...pending, drafterId: drafterApprover.id };
    expect(mayAct(drafterApprover, own, 'approve')).toEqual({ allowed: false, rules: ['G-approver-not-drafter'], certain: true });
  });

  it('a post cable is approved by that post\'s approvers', () => {
    const pending = postCable({ status: 'PENDING_APPROVAL' });
    expect(mayAct(beijingApprover, pending, 'approve').allowed).toBe(true);
    expect(mayAct(approver, pending, 'approve').allowed).toBe(false);
    expect(mayAct(beijing, pending, 'approve').allowed).toBe(false);
  });

  it('approverIds pins the approvers who may approve it', () => {
    const pending = cable({ status: 'PENDING_APPROVAL', clearances: [], approverIds: [approverLow.id] });
    expect(mayAct(approver, pending, 'approve').allowed).toBe(false);
    expect(mayAct(approver, pending, 'approve').rules).toContain('G-read');
    expect(mayAct(approverLow, pending, 'approve').allowed).toBe(true);
  });

  it('return, release, cancel', () => {
    const pending = cable({ status: 'PENDING_APPROVAL', clearances: [] });
    const approved = cable({ status: 'APPROVED', clearances: [] });
    expect(mayAct(approver, pending, 'return').allowed).toBe(true);
    expect(mayAct(drafter, pending, 'return').allowed).toBe(false);
    expect(mayAct(approver, approved, 'return').allowed).toBe(false);
    expect(mayAct(approver, approved, 'release').allowed).toBe(true);
    expect(mayAct(approver, pending, 'release').allowed).toBe(false);
    expect(mayAct(drafter, approved, 'release').allowed).toBe(false);
    for (const status of ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED'] as const) {
      expect(mayAct(drafter, cable({ status }), 'cancel').allowed).toBe(true);
      expect(mayAct(approver, cable({ status }), 'cancel').allowed).toBe(true);
      expect(mayAct(lClearer, cable({ status }), 'cancel').allowed).toBe(false);
    }
    expect(mayAct(drafter, releasedTo(['BEIJING']), 'cancel').allowed).toBe(false);
    expect(mayAct(drafter, cable({ status: 'CANCELLED' }), 'cancel').allowed).toBe(false);
  });

  it('a drafter who is an approver may return or release their own cable, flagged uncertain', () => {
    const own = cable({ drafterId: drafterApprover.id, status: 'APPROVED', clearances: [] });
    expect(mayAct(drafterApprover, own, 'release')).toMatchObject({ allowed: true, certain: false });
  });

  it('nobody acts on a released cable but to read it', () => {
    const c = releasedTo(['BEIJING']);
    for (const u of everyone) expect([u.id, allowedActions(u, c)]).toEqual([u.id, []]);
  });

  it('allowedActions matches the api.md examples where they are complete', () => {
    expect(allowedActions(drafter, cable({ status: 'DRAFT', clearances: [] }))).toEqual(['edit', 'requestClearance', 'submit', 'cancel']);
    expect(allowedActions(lClearer, cable())).toEqual(['edit', 'clear']);
    expect(allowedActions(approver, cable({ status: 'PENDING_APPROVAL', clearances: [] }))).toEqual(['edit', 'approve', 'return', 'cancel']);
    expect(allowedActions(beijing, cable())).toEqual([]);
  });
});

describe('acting on campaigns and deliveries', () => {
  const tasking = releasedTo(['BEIJING', 'TOKYO'], { classification: 'CONFIDENTIAL' });
  const campaign: CampaignRecord = { kind: 'campaign', cable: tasking };
  const delivery = (post: string, status: DeliveryRecord['status'] = 'PENDING'): DeliveryRecord => ({ kind: 'delivery', campaign, post, status });

  it('record delivery, response, not-delivered: that post\'s officers only', () => {
    expect(mayAct(beijing, delivery('BEIJING'), 'recordDelivery').allowed).toBe(true);
    expect(mayAct(tokyo, delivery('BEIJING'), 'recordDelivery').allowed).toBe(false);
    expect(mayAct(beijingApprover, delivery('BEIJING'), 'recordDelivery').allowed).toBe(false);
    expect(mayAct(drafter, delivery('BEIJING'), 'recordDelivery').allowed).toBe(false);
    expect(mayAct(leader, delivery('BEIJING'), 'recordResponse').allowed).toBe(false);
    expect(mayAct(beijingLow, delivery('BEIJING'), 'recordDelivery').rules).toContain('G-read');
    expect(mayAct(beijing, delivery('BEIJING'), 'recordNotDelivered').allowed).toBe(true);
    expect(mayAct(beijing, delivery('BEIJING', 'DELIVERED'), 'recordResponse').allowed).toBe(true);
    expect(mayAct(beijing, delivery('BEIJING', 'RESPONDED'), 'recordResponse').allowed).toBe(true);
    expect(mayAct(beijing, delivery('BEIJING', 'NOT_DELIVERED'), 'recordDelivery').allowed).toBe(true);
    expect(mayAct(beijing, delivery('BEIJING'), 'uploadDocument').allowed).toBe(true);
    expect(mayAct(tokyo, delivery('BEIJING'), 'uploadDocument').allowed).toBe(false);
    expect(allowedActions(beijing, delivery('BEIJING'))).toEqual(['recordDelivery', 'recordNotDelivered', 'uploadDocument']);
  });

  it('export.csv: leadership and drafters who read the campaign', () => {
    expect(mayAct(leader, campaign, 'exportCsv').allowed).toBe(true);
    expect(mayAct(drafter, campaign, 'exportCsv').allowed).toBe(true);
    expect(mayAct(beijing, campaign, 'exportCsv').allowed).toBe(false);
    expect(mayAct(otherDesk, campaign, 'exportCsv').allowed).toBe(false);
  });
});

describe('follow-ups', () => {
  const campaign: CampaignRecord = { kind: 'campaign', cable: releasedTo(['BEIJING'], { classification: 'CONFIDENTIAL' }) };
  const followUp = (over: Partial<FollowUpRecord> = {}): FollowUpRecord => ({
    kind: 'followUp',
    status: 'OPEN',
    campaign,
    owner: { office: 'EAP/CM' },
    creatorId: leader.id,
    escalationBureau: 'EAP',
    ...over,
  });

  it('I-follow-up-owner: an office\'s auditors and admins only read its follow-ups; its desk works them', () => {
    const oig = followUp({ owner: { office: 'OIG' }, campaign: undefined });
    expect(allowedActions(user('oigaudit', { roles: ['auditor'], office: 'OIG', clearance: 'SECRET' }), oig)).toEqual([]);
    expect(allowedActions(user('oigadmin', { roles: ['admin'], office: 'OIG', clearance: 'SECRET' }), oig)).toEqual([]);
    expect(allowedActions(user('oigdesk', { roles: ['drafter'], office: 'OIG', clearance: 'SECRET' }), oig)).toContain('complete');
  });

  it('the owner (office members, post officers) and the creator change it; nobody else', () => {
    expect(allowedActions(colleague, followUp())).toEqual(['edit', 'reassign', 'start', 'complete', 'cancel', 'comment']);
    expect(allowedActions(leader, followUp())).toEqual(['edit', 'reassign', 'start', 'complete', 'cancel', 'comment']);
    expect(allowedActions(beijing, followUp())).toEqual([]);
    expect(allowedActions(beijing, followUp({ owner: { post: 'BEIJING' } }))).toContain('start');
    expect(allowedActions(lClearer, followUp())).toEqual([]);
  });

  it('an owner who may not read what it links to may not act on it', () => {
    const f = followUp({ owner: { post: 'TOKYO' } });
    expect(mayAct(tokyo, f, 'start').rules).toContain('G-read');
  });

  it('status changes follow OPEN -> IN_PROGRESS -> DONE | CANCELLED', () => {
    expect(mayAct(colleague, followUp({ status: 'IN_PROGRESS' }), 'start').allowed).toBe(false);
    expect(mayAct(colleague, followUp({ status: 'IN_PROGRESS' }), 'complete').allowed).toBe(true);
    expect(mayAct(colleague, followUp({ status: 'DONE' }), 'cancel').allowed).toBe(false);
    expect(mayAct(colleague, followUp({ status: 'CANCELLED' }), 'edit').allowed).toBe(false);
  });

  it('the escalation bureau\'s leadership may reassign an overdue one, and only that', () => {
    expect(mayAct(eapLeader, followUp({ overdue: true }), 'reassign').allowed).toBe(true);
    expect(mayAct(eapLeader, followUp({ overdue: false }), 'reassign').allowed).toBe(false);
    expect(mayAct(eapLeader, followUp({ overdue: true }), 'start').allowed).toBe(false);
    expect(mayAct(eapLeader, followUp({ overdue: true }), 'edit').allowed).toBe(false);
    expect(mayAct(leader, followUp({ overdue: true, creatorId: drafter.id }), 'reassign').allowed).toBe(false); // S is not EAP
  });

  it('creating one: drafter, post officer or leadership, reading what it links to', () => {
    expect(mayCreateFollowUp(beijing, { campaign }).allowed).toBe(true);
    expect(mayCreateFollowUp(tokyo, { campaign }).allowed).toBe(false);
    expect(mayCreateFollowUp(lClearer, {}).allowed).toBe(false);
    expect(mayCreateFollowUp(approver, {}).allowed).toBe(false);
    expect(mayCreateFollowUp(leader, { cable: cable({ classification: 'TOP_SECRET' }) }).allowed).toBe(true);
    expect(mayCreateFollowUp(drafter, { cable: cable({ classification: 'TOP_SECRET' }) }).allowed).toBe(false);
  });
});

describe('I-follow-up-draft-text: follow-up text written under a draft (product decision)', () => {
  /** A Department cable drafted in EAP/CM, cleared by L, released to Beijing. */
  const c = releasedTo(['BEIJING']);
  const onCable = (over: Partial<FollowUpRecord> = {}): FollowUpRecord => ({
    kind: 'followUp',
    status: 'OPEN',
    cable: c,
    owner: { office: 'EAP/CM' },
    creatorId: drafter.id,
    ...over,
  });
  const afterRelease = onCable();
  const underDraft = onCable({ writtenUnderDraft: true });

  it('a Beijing post officer reads a follow-up written after release, not one written under the draft', () => {
    expect(mayRead(beijing, c).allowed).toBe(true);
    expect(mayRead(beijing, afterRelease)).toEqual({ allowed: true, rules: ['R-fu-linked-reader'], certain: true });
    expect(mayRead(beijing, underDraft)).toEqual({ allowed: false, rules: ['R-fu-draft-text'], certain: false });
    // Nor the post's approver, who reads what went to the post (I-officers).
    expect(mayRead(beijingApprover, afterRelease).allowed).toBe(true);
    expect(mayRead(beijingApprover, underDraft).allowed).toBe(false);
  });

  it('the drafting office, the offices asked to clear and the approvers read both', () => {
    for (const u of [drafter, colleague, lClearer, lMember, approver, approverLow]) {
      expect([u.id, mayRead(u, afterRelease).allowed, mayRead(u, underDraft).allowed]).toEqual([u.id, true, true]);
    }
  });

  it('leadership reads both, within clearance', () => {
    expect(mayRead(leader, afterRelease).allowed).toBe(true);
    expect(mayRead(leader, underDraft).allowed).toBe(true);
    expect(mayRead(eapLeader, underDraft).allowed).toBe(true);
    expect(mayRead(leaderLow, afterRelease)).toMatchObject({ allowed: false, rules: ['R-fu-clearance'] });
    expect(mayRead(leaderLow, underDraft)).toMatchObject({ allowed: false, rules: ['R-fu-clearance'] });
  });

  it('read under the draft, its readers are the cable\'s working party (those who read it unreleased); after release, the released cable\'s', () => {
    expect(readers(underDraft, everyone)).toEqual(readers(cable({ status: 'APPROVED', clearances: c.clearances }), everyone));
    expect(readers(underDraft, everyone)).toEqual([drafter.id, colleague.id, lClearer.id, lMember.id, approver.id, approverLow.id, leader.id, eapLeader.id]);
    expect(readers(afterRelease, everyone)).toEqual(readers(c, everyone));
    // A cable not yet released reads the same either way: the flag changes nothing before release.
    for (const status of ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED', 'CANCELLED'] as const) {
      const d = cable({ status });
      expect(readers(onCable({ cable: d, writtenUnderDraft: true }), everyone)).toEqual(readers(onCable({ cable: d }), everyone));
    }
  });

  it('its markings still rise with the cable', () => {
    const secret = releasedTo(['BEIJING'], { classification: 'SECRET', captions: ['EXDIS'] });
    expect(followUpMarkings(onCable({ cable: secret, writtenUnderDraft: true }))).toEqual({ classification: 'SECRET', captions: ['EXDIS'] });
    expect(mayRead(beijing, onCable({ cable: secret })).allowed).toBe(true);
    expect(mayRead(beijing, onCable({ cable: secret, writtenUnderDraft: true })).allowed).toBe(false);
    expect(mayRead(leader, onCable({ cable: secret, writtenUnderDraft: true })).allowed).toBe(true);
    expect(mayRead(approverLow, onCable({ cable: secret, writtenUnderDraft: true })).rules).toEqual(['R-fu-clearance']);
  });

  it('never a tasking desk reading a reply as such', () => {
    const tasking = releasedTo(['BEIJING'], { cableKind: 'INSTRUCTION' });
    const reply = postCable({ status: 'RELEASED', distribution: ['SECSTATE'], refs: [tasking] });
    expect(mayRead(drafter, onCable({ cable: reply, owner: { post: 'BEIJING' }, creatorId: beijing.id })).allowed).toBe(true);
    const onReplyDraft = onCable({ cable: reply, owner: { post: 'BEIJING' }, creatorId: beijing.id, writtenUnderDraft: true });
    expect(mayRead(drafter, onReplyDraft)).toMatchObject({ allowed: false, rules: ['R-fu-draft-text'] });
    expect(mayRead(colleague, onReplyDraft).allowed).toBe(false);
    // The post's own officers and approvers, and leadership, are its working party.
    expect(readers(onReplyDraft, everyone)).toEqual([leader.id, eapLeader.id, beijing.id, beijing2.id, beijingApprover.id]);
  });

  it('holds in the "markings" reading too', () => {
    expect(mayRead(tokyo, afterRelease, { followUpReading: 'markings' }).allowed).toBe(true);
    expect(mayRead(tokyo, underDraft, { followUpReading: 'markings' }).allowed).toBe(false);
    expect(mayRead(beijing, underDraft, { followUpReading: 'markings' }).allowed).toBe(false);
    expect(mayRead(otherDesk, underDraft, { followUpReading: 'markings' }).allowed).toBe(false);
    expect(mayRead(colleague, underDraft, { followUpReading: 'markings' }).allowed).toBe(true);
  });

  it('acting needs reading: a post owning it, or its creator moved to a post, may not act on it', () => {
    const ownedByBeijing = onCable({ owner: { post: 'BEIJING' }, writtenUnderDraft: true });
    expect(mayAct(beijing, ownedByBeijing, 'start').rules).toContain('G-read');
    expect(allowedActions(beijing, ownedByBeijing)).toEqual([]);
    expect(allowedActions(beijing, onCable({ owner: { post: 'BEIJING' } }))).toContain('start');
    expect(allowedActions(colleague, underDraft)).toEqual(['edit', 'reassign', 'start', 'complete', 'cancel', 'comment']);
    const createdByBeijing = onCable({ creatorId: beijing.id, writtenUnderDraft: true });
    expect(allowedActions(beijing, createdByBeijing)).toEqual([]);
    expect(visible(beijing, [afterRelease, underDraft])).toEqual([afterRelease]);
  });
});

describe('placed where they read (product decisions): the tasking desk is in the Department; those who acted on a cable, while not bound to another post', () => {
  /** Made a post officer at `postCode` by the admin: roles ['post_officer'], no office. */
  const madePostOfficer = (u: User, postCode: string): User => ({ ...u, roles: ['post_officer'], office: null, postCode });
  const tasking = releasedTo(['BEIJING'], { cableKind: 'INSTRUCTION' });
  const reply = postCable({ status: 'RELEASED', distribution: ['SECSTATE'], refs: [tasking] });

  it('I-tasking-desk-placed: the tasking\'s drafter made a post officer at Tokyo is refused the reply, whatever the tasking\'s distribution', () => {
    expect(mayRead(drafter, reply)).toEqual({ allowed: true, rules: ['R-tasking-desk'], certain: false });
    const moved = madePostOfficer(drafter, 'TOKYO');
    expect(mayRead(moved, reply)).toEqual({ allowed: false, rules: ['no-grant'], certain: true });
    // Not even when the tasking also went to Tokyo: Tokyo's officers read the tasking, not Beijing's reply.
    const toBoth = releasedTo(['BEIJING', 'TOKYO'], { cableKind: 'INSTRUCTION' });
    expect(mayRead(moved, { ...reply, refs: [toBoth] }).allowed).toBe(false);
    expect(mayRead(moved, toBoth)).toMatchObject({ allowed: true, rules: ['R-distribution'] });
    // Nor as the NODIS desk of a NODIS tasking.
    expect(mayRead(drafter, { ...reply, captions: ['NODIS'], refs: [{ ...tasking, captions: ['NODIS'] }] }).allowed).toBe(true);
    expect(mayRead(moved, { ...reply, captions: ['NODIS'], refs: [{ ...tasking, captions: ['NODIS'] }] }).allowed).toBe(false);
    // Made an officer of the replying post, they read it as that post's people.
    expect(mayRead(madePostOfficer(drafter, 'BEIJING'), reply)).toMatchObject({ allowed: true, rules: ['R-origin-post'] });
  });

  it('I-tasking-desk-placed: a drafting-office member bound to a post reads no reply as the desk', () => {
    expect(mayRead(colleague, reply).allowed).toBe(true);
    expect(mayRead(madePostOfficer(colleague, 'TOKYO'), reply).allowed).toBe(false);
    // Even one the directory still lists in the drafting office (a user an earlier version made so).
    expect(mayRead({ ...colleague, postCode: 'TOKYO' }, reply)).toEqual({ allowed: false, rules: ['no-grant'], certain: true });
  });

  it('I-tasking-desk-placed: the tasking\'s drafter moved to another Department office still reads the reply; a colleague who left the office does not', () => {
    expect(mayRead({ ...drafter, office: 'EUR/WE' }, reply)).toEqual({ allowed: true, rules: ['R-tasking-desk'], certain: false });
    expect(mayRead({ ...colleague, office: 'EUR/WE' }, reply).allowed).toBe(false);
    // And a member of the office the drafter joined reads nothing for it: the desk is the tasking's drafting office.
    expect(mayRead(otherDesk, reply).allowed).toBe(false);
  });

  it('R-acted: whoever cleared or approved a cable reads it as its working party, whatever office they are in now', () => {
    const clearedByL = releasedTo(['BEIJING'], { actedBy: [lClearer.id, approver.id] });
    // In L, they read it as the office asked; they have also cleared it.
    expect(mayRead(lClearer, clearedByL).rules).toEqual(['R-clearing-offices', 'R-acted']);
    // Moved to another Department office (still a clearer), they read it for having cleared it.
    const toEb = { ...lClearer, office: 'EB' };
    expect(mayRead(toEb, clearedByL)).toEqual({ allowed: true, rules: ['R-acted'], certain: false });
    expect(mayRead(toEb, releasedTo(['BEIJING'])).allowed).toBe(false); // one they did not clear
    // Before release too, and under NODIS (they are its working party).
    expect(mayRead(toEb, cable({ actedBy: [lClearer.id] })).allowed).toBe(true);
    expect(mayRead(toEb, releasedTo(['BEIJING'], { captions: ['NODIS'], actedBy: [lClearer.id] })).allowed).toBe(true);
  });

  it('I-acted-placed: a clearer who cleared a Department cable, made a post officer at Tokyo, no longer reads it as working party unless it went to Tokyo', () => {
    const toTokyo = madePostOfficer(lClearer, 'TOKYO');
    const toBeijing = releasedTo(['BEIJING'], { actedBy: [lClearer.id] });
    expect(mayRead(toTokyo, toBeijing)).toEqual({ allowed: false, rules: ['no-grant'], certain: true });
    expect(mayRead(toTokyo, { ...toBeijing, captions: ['EXDIS'] }).allowed).toBe(false);
    // Went to Tokyo: read as Tokyo's officer, not as its working party.
    expect(mayRead(toTokyo, releasedTo(['BEIJING', 'TOKYO'], { actedBy: [lClearer.id] }))).toEqual({ allowed: true, rules: ['R-distribution'], certain: true });
    // Before release it is another post's draft to them.
    expect(mayRead(toTokyo, cable({ actedBy: [lClearer.id] })).rules).toEqual(['R-draft-other-post']);
    // A follow-up written under its draft is the working party's: not theirs any more either.
    const underDraft: FollowUpRecord = { kind: 'followUp', status: 'OPEN', cable: toBeijing, owner: { office: 'EAP/CM' }, creatorId: drafter.id, writtenUnderDraft: true };
    expect(mayRead({ ...lClearer, office: 'EB' }, underDraft).allowed).toBe(true);
    expect(mayRead(toTokyo, underDraft).allowed).toBe(false);
  });

  it('I-acted-placed: an approver who approved, moved to a post, is that post\'s people; a post\'s approver who approved its cable, back in the Department, still reads it', () => {
    const approvedBy = releasedTo(['BEIJING'], { actedBy: [approver.id] });
    const approverAtTokyo = { ...approver, office: null, postCode: 'TOKYO' };
    expect(mayRead(approverAtTokyo, approvedBy).allowed).toBe(false);
    expect(mayRead(approverAtTokyo, { ...approvedBy, distribution: ['TOKYO'] }).allowed).toBe(true);
    const postReply = postCable({ status: 'RELEASED', distribution: ['SECSTATE'], actedBy: [beijingApprover.id] });
    expect(mayRead(beijingApprover, postReply).rules).toEqual(['R-approvers', 'R-acted']);
    expect(mayRead({ ...beijingApprover, postCode: null, office: 'EAP' }, postReply)).toMatchObject({ allowed: true, rules: ['R-acted'] });
    expect(mayRead({ ...beijingApprover, postCode: 'TOKYO' }, postReply).allowed).toBe(false);
  });
});
