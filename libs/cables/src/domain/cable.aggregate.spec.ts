import { given } from '../../../../test/support/aggregate-spec.js';
import { Cable, type CableActor, cableDefinition, type CableEvent, changedFields, missingClearances } from './cable.aggregate.js';
import { collectiveTaskingClearances } from './collective-tasking.js';
import { type CableDraft } from './cable-format.js';
import { confidentialDraft, world } from '../../../../test/fixtures/cable.fixtures.js';

const at = '2026-11-29T10:00:00.000Z';
const drafter: CableActor = { id: 'd1', username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', postCode: null };
const legal: CableActor = { id: 'c1', username: 'lclear', roles: ['clearer'], office: 'L', postCode: null };
const isn: CableActor = { id: 'c2', username: 'iclear', roles: ['clearer'], office: 'ISN', postCode: null };
const approver: CableActor = { id: 'a1', username: 'boss', roles: ['approver'], office: 'EAP', postCode: null };
const postOfficer: CableActor = { id: 'p1', username: 'pol', roles: ['post_officer'], office: null, postCode: 'BEIJING' };
const ambassador: CableActor = { id: 'a2', username: 'amb', roles: ['approver'], office: null, postCode: 'BEIJING' };
const by = (actor: CableActor) => ({ id: actor.id, username: actor.username, office: actor.office });

const drafted: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: confidentialDraft, at } };
const requested: CableEvent = { type: 'ClearancesRequested', data: { offices: ['L', 'ISN'], at } };
const clearedByL: CableEvent = { type: 'ClearanceGranted', data: { office: 'L', by: by(legal), at } };
const clearedByIsn: CableEvent = { type: 'ClearanceGrantedWithComments', data: { office: 'ISN', by: by(isn), comments: 'Fine; soften para 2.', at } };
const submitted: CableEvent = { type: 'CableSubmitted', data: { by: by(drafter), at } };
const approved: CableEvent = { type: 'CableApproved', data: { by: by(approver), at } };
const release = { mrn: '26 STATE 000124', releasedAt: at, dateTimeGroup: '291000Z NOV 26', distribution: { action: ['BEIJING', 'TOKYO'], info: [] } };
/** The telegram a release records, as the handler's renderer would give it (rendering is telegram.spec's). */
const sent = (order: { mrn: string }) => `TELEGRAM ${order.mrn}`;
const released: CableEvent = { type: 'CableReleased', data: { by: by(approver), ...release, telegram: sent(release) } };
const edited = (draft: CableDraft, substantive: boolean, fields = ['paragraphs'], editor: CableActor = drafter, as: 'drafter' | 'clearer' | 'approver' = 'drafter'): CableEvent => ({
  type: 'CableEdited',
  data: { draft, substantive, by: by(editor), office: editor.office, as, fields, at },
});
const newText: CableDraft = { ...confidentialDraft, paragraphs: [...confidentialDraft.paragraphs.slice(0, 2), { marking: 'U', text: 'Posts should deliver the points in paragraph 2.' }] };

describe('Cable', () => {
  it('reads a scope saved with an empty kinds or posts list (before such lists were refused) as no filter, as it was read then, and lets its next edit through', () => {
    const scoped = (scope: object): CableDraft => ({ ...confidentialDraft, demarche: { ...confidentialDraft.demarche!, scope } as CableDraft['demarche'] });
    const draftedEmpty: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: scoped({ kinds: [], posts: [], excludePosts: ['TOKYO'] }), at } };
    const changed = { ...scoped({ excludePosts: ['TOKYO'] }), subject: 'Another approach' };
    const cable = given(cableDefinition, 'k1', [draftedEmpty]).when(() => undefined).then([]);
    expect(cable.draft.demarche?.scope).toEqual({ excludePosts: ['TOKYO'] });
    given(cableDefinition, 'k1', [draftedEmpty]).when((c) => c.edit(drafter, changed, world, at)).then([edited(changed, true, ['subject'])]);
  });

  it('refuses comments sent with a plain clearance rather than lose them', () => {
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'L', 'CLEARED', 'Fix para 2 before release', at)).thenFails('RULE_VIOLATED', /plain clearance carries no comments: clear with comments/);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'L', 'CLEARED', '  ', at)).then([clearedByL]);
  });

  it('is drafted by a Department drafter with origin STATE', () => {
    const cable = Cable.create('k1', drafter, confidentialDraft, world, at);
    expect(cable.getUncommittedEvents()).toEqual([drafted]);
  });

  it('is drafted by a post officer as a reporting cable to SECSTATE, with the post as origin', () => {
    const report: CableDraft = { ...confidentialDraft, kind: 'REPORTING', demarche: null, actionAddressees: ['SECSTATE'] };
    expect(Cable.create('k2', postOfficer, report, world, at).origin).toBe('BEIJING');
    expect(() => Cable.create('k3', postOfficer, confidentialDraft, world, at)).toThrow(/addressed for action to SECSTATE/);
    expect(() => Cable.create('k3', postOfficer, { ...report, actionAddressees: ['SECSTATE', 'SECSTATE'] }, world, at)).toThrow('actionAddressees must not repeat: SECSTATE');
    expect(() => Cable.create('k3', postOfficer, { ...report, actionAddressees: ['SECSTATE', 'TOKYO'] }, world, at)).toThrow(/addressed for action to SECSTATE/);
    expect(() => Cable.create('k4', drafter, report, world, at)).toThrow(/not to SECSTATE/);
    // Said of the list that names it.
    const infoToSecstate = (() => {
      try {
        Cable.create('k4', drafter, { ...confidentialDraft, infoAddressees: ['SECSTATE'] }, world, at);
      } catch (error) {
        return (error as { details?: { errors?: { field: string }[] } }).details?.errors?.[0]?.field;
      }
    })();
    expect(infoToSecstate).toBe('infoAddressees');
    expect(() => Cable.create('k5', approver, confidentialDraft, world, at)).toThrow(/only drafters and post officers/);
    expect(() => Cable.create('k6', postOfficer, report, { ...world, isClosed: (post) => post === 'BEIJING' }, at)).toThrow(/BEIJING is closed/);
    // Posts report and inform; the Department instructs and informs.
    expect(() => Cable.create('k7', postOfficer, { ...report, kind: 'INSTRUCTION', demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] } }, world, at)).toThrow(/a post's cable is REPORTING or INFORMATIONAL/);
    expect(Cable.create('k8', postOfficer, { ...report, kind: 'INFORMATIONAL' }, world, at).draft.kind).toBe('INFORMATIONAL');
    expect(() => Cable.create('k9', drafter, { ...confidentialDraft, kind: 'REPORTING', demarche: null }, world, at)).toThrow(/posts report/);
    expect(Cable.create('k10', drafter, { ...confidentialDraft, kind: 'INFORMATIONAL', demarche: null }, world, at).draft.kind).toBe('INFORMATIONAL');
    // A draft stored before the rule goes no further as it is: submitted, approved or released.
    const stored: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: { ...confidentialDraft, kind: 'REPORTING', demarche: null }, at } };
    given(cableDefinition, 'k11', [stored]).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /a cable from STATE is INSTRUCTION or INFORMATIONAL, not REPORTING: edit its kind/);
    given(cableDefinition, 'k11', [stored, submitted]).when((c) => c.approve(approver, at)).thenFails('RULE_VIOLATED', /return it to the drafter/);
    given(cableDefinition, 'k11', [stored, submitted, approved]).when((c) => c.releaseAs(approver, release, {}, sent)).thenFails('RULE_VIOLATED', /cancel it/);
  });

  it('is never cleared by its own drafter, even one who is a clearer of the office asked', () => {
    const drafterAndClearer: CableActor = { ...drafter, roles: ['drafter', 'clearer'], office: 'L' };
    const ownDraft: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafterAndClearer), draft: confidentialDraft, at } };
    given(cableDefinition, 'k1', [ownDraft, requested])
      .when((cable) => cable.decideClearance(drafterAndClearer, 'L', 'CLEARED', null, at))
      .thenFails('FORBIDDEN', /nobody clears their own cable/);
  });

  it('keeps in its working party everyone who ever cleared or approved it, for the need-to-know rule', () => {
    const cable = given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn, submitted, approved, released]).when(() => undefined).then([]);
    expect(cable.access).toMatchObject({ status: 'RELEASED', drafterId: 'd1', draftingOffice: 'EAP/CM', actedBy: ['c1', 'c2', 'a1'], distribution: ['BEIJING', 'TOKYO'] });
  });

  it('makes given clearances stale when the substance changes, and only then', () => {
    given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn])
      .when((c) => c.edit(drafter, newText, world, at))
      .then([edited(newText, true), { type: 'ClearancesMadeStale', data: { offices: ['L', 'ISN'], at } }]);
    const flash = { ...confidentialDraft, precedence: 'FLASH' as const };
    given(cableDefinition, 'k1', [drafted, requested, clearedByL]).when((c) => c.edit(drafter, flash, world, at)).then([edited(flash, false, ['precedence'])]);
    given(cableDefinition, 'k1', [drafted, requested, clearedByL]).when((c) => c.edit(drafter, confidentialDraft, world, at)).then([]);
    // A pending clearance has nothing to go stale.
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.edit(drafter, newText, world, at)).then([edited(newText, true)]);
  });

  it('is marked by no edit above what its drafter may read, and holds a drafter cleared lower since against no other edit', () => {
    const secret: CableDraft = { ...confidentialDraft, classification: 'SECRET', paragraphs: [{ ...confidentialDraft.paragraphs[0], marking: 'S' }, ...confidentialDraft.paragraphs.slice(1)] };
    given(cableDefinition, 'k1', [drafted, requested])
      .when((c) => c.edit(legal, secret, { ...world, drafterClearance: 'CONFIDENTIAL' }, at))
      .thenFails('RULE_VIOLATED', /above the drafter's clearance/);
    given(cableDefinition, 'k1', [drafted, requested])
      .when((c) => c.edit(legal, secret, { ...world, drafterClearance: 'SECRET' }, at))
      .then([edited(secret, true, ['classification', 'paragraphs'], legal, 'clearer')]);
    const raised = [drafted, requested, edited(secret, true, ['classification', 'paragraphs'], legal, 'clearer')];
    given(cableDefinition, 'k1', raised)
      .when((c) => c.edit(legal, { ...secret, precedence: 'FLASH' }, { ...world, drafterClearance: 'CONFIDENTIAL' }, at))
      .then([edited({ ...secret, precedence: 'FLASH' }, false, ['precedence'], legal, 'clearer')]);
  });

  it('refuses a request for clearance that names an office twice, as it refuses an addressee named twice', () => {
    given(cableDefinition, 'k1', [drafted]).when((c) => c.requestClearances(drafter, ['L', 'EB', 'L'], at)).thenFails('RULE_VIOLATED', /L is named twice/);
  });

  it('lets only a clearer of the named office clear for it, with reasons for a non-concurrence', () => {
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(isn, 'L', 'CLEARED', null, at)).thenFails('FORBIDDEN', /clearer of L/);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(drafter, 'L', 'CLEARED', null, at)).thenFails('FORBIDDEN');
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'EB', 'CLEARED', null, at)).thenFails('RULE_VIOLATED', /not asked/);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'L', 'NON_CONCUR', '  ', at)).thenFails('RULE_VIOLATED', /reasons/);
    // Reasons that show nothing (a zero-width space, a Hangul filler) are none.
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'L', 'NON_CONCUR', '\u200b\u3164', at)).thenFails('RULE_VIOLATED', /reasons/);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.decideClearance(legal, 'L', 'CLEARED_WITH_COMMENTS', '\u2800\ufe0f', at)).thenFails('RULE_VIOLATED', /needs the comments/);
    given(cableDefinition, 'k1', [drafted, requested])
      .when((c) => c.decideClearance(legal, 'L', 'NON_CONCUR', 'Para 2 overstates the evidence.', at))
      .then([{ type: 'ClearanceNonConcurred', data: { office: 'L', by: by(legal), comments: 'Para 2 overstates the evidence.', at } }]);
  });

  it('goes to approval only with every clearance given and fresh', () => {
    given(cableDefinition, 'k1', [drafted, requested, clearedByL]).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /ISN \(not answered yet\)/);
    given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn, edited(newText, true), { type: 'ClearancesMadeStale', data: { offices: ['L', 'ISN'], at } }])
      .when((c) => c.submit(drafter, at))
      .thenFails('RULE_VIOLATED', /L \(cleared an earlier text\)/);
    given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn]).when((c) => c.submit(legal, at)).thenFails('FORBIDDEN', /drafter/);
    given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn]).when((c) => c.submit(drafter, at)).then([submitted]);
    given(cableDefinition, 'k1', [drafted]).when((c) => c.submit(drafter, at)).then([submitted]);
  });

  it('is approved and released only by an approver for its originator who did not draft it', () => {
    const pending = [drafted, requested, clearedByL, clearedByIsn, submitted];
    given(cableDefinition, 'k1', pending).when((c) => c.approve(legal, at)).thenFails('FORBIDDEN', /approver/);
    given(cableDefinition, 'k1', pending).when((c) => c.approve(ambassador, at)).thenFails('FORBIDDEN', /release authority for STATE/);
    const drafterApprover = { ...approver, id: drafter.id };
    given(cableDefinition, 'k1', pending).when((c) => c.approve(drafterApprover, at)).thenFails('FORBIDDEN', /drafter/);
    given(cableDefinition, 'k1', pending).when((c) => c.approve(approver, at)).then([approved]);
    given(cableDefinition, 'k1', pending).when((c) => c.releaseAs(approver, release, {}, sent)).thenFails('INVALID_TRANSITION', /PENDING_APPROVAL/);
    given(cableDefinition, 'k1', [...pending, approved]).when((c) => c.releaseAs(approver, { ...release, mrn: '26 BEIJING 000001' }, {}, sent)).thenFails('RULE_VIOLATED', /STATE's/);
    given(cableDefinition, 'k1', [...pending, approved]).when((c) => c.releaseAs(approver, release, {}, sent)).then([released]);
  });

  it('lets the chief of mission, not the Department, approve a post’s cable', () => {
    const report: CableDraft = { ...confidentialDraft, kind: 'REPORTING', demarche: null, actionAddressees: ['SECSTATE'] };
    const postDrafted: CableEvent = { type: 'CableDrafted', data: { origin: 'BEIJING', drafter: by(postOfficer), draft: report, at } };
    const postSubmitted: CableEvent = { type: 'CableSubmitted', data: { by: by(postOfficer), at } };
    given(cableDefinition, 'k2', [postDrafted, postSubmitted]).when((c) => c.approve(approver, at)).thenFails('FORBIDDEN', /BEIJING/);
    given(cableDefinition, 'k2', [postDrafted, postSubmitted]).when((c) => c.approve(ambassador, at)).then([{ type: 'CableApproved', data: { by: by(ambassador), at } }]);
  });

  it('goes back to the drafter with a reason, and keeps its clearances', () => {
    const cable = given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn, submitted])
      .when((c) => c.returnToDrafter(approver, 'Shorten paragraph 2', at))
      .then([{ type: 'CableReturned', data: { by: by(approver), reason: 'Shorten paragraph 2', at } }]);
    expect(cable.status).toBe('DRAFT');
    expect(cable.clearances.map((c) => c.status)).toEqual(['CLEARED', 'CLEARED_WITH_COMMENTS']);
  });

  it('goes back with the clearances of the offices whose text the approver changed made stale, the rest standing', () => {
    const pending = [drafted, requested, clearedByL, clearedByIsn, submitted];
    const byApprover = (draft: CableDraft, substantive: boolean, fields = ['paragraphs']): CableEvent =>
      ({ type: 'CableEdited', data: { draft, substantive, by: by(approver), office: approver.office, as: 'approver', fields, at } }) as CableEvent;
    // The approver rewrote the text after both offices cleared it: both clear again.
    const rewritten = given(cableDefinition, 'k1', [...pending, byApprover(newText, true)])
      .when((c) => c.returnToDrafter(approver, 'See my edit', at))
      .then([{ type: 'CableReturned', data: { by: by(approver), reason: 'See my edit', at } }, { type: 'ClearancesMadeStale', data: { offices: ['L', 'ISN'], at } }]);
    expect(rewritten.clearances.map((c) => c.status)).toEqual(['STALE', 'STALE']);
    const firstReturn: CableEvent[] = [...pending, byApprover(newText, true), { type: 'CableReturned', data: { by: by(approver), reason: 'See my edit', at } }, { type: 'ClearancesMadeStale', data: { offices: ['L', 'ISN'], at } }];
    given(cableDefinition, 'k1', firstReturn).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /L \(cleared an earlier text\)/);
    // L has cleared the approver's text since, ISN not yet: returned again, L stands.
    given(cableDefinition, 'k1', [...firstReturn, clearedByL, submitted])
      .when((c) => c.returnToDrafter(approver, 'One more look', at))
      .then([{ type: 'CableReturned', data: { by: by(approver), reason: 'One more look', at } }]);
    // An approver who is also ISN's clearer, and cleared it: that clearance covers its author's edit.
    const isnApprover: CableActor = { ...isn, roles: ['clearer', 'approver'] };
    const byIsnApprover = { type: 'CableEdited', data: { draft: newText, substantive: true, by: by(isnApprover), office: 'ISN', as: 'approver', fields: ['paragraphs'], at } } as CableEvent;
    given(cableDefinition, 'k1', [...pending, byIsnApprover])
      .when((c) => c.returnToDrafter(approver, 'See my edit', at))
      .then([{ type: 'CableReturned', data: { by: by(approver), reason: 'See my edit', at } }, { type: 'ClearancesMadeStale', data: { offices: ['L'], at } }]);
    // A change of precedence alone is no change of text: the clearances stand.
    const flash = { ...confidentialDraft, precedence: 'FLASH' as const };
    given(cableDefinition, 'k1', [...pending, byApprover(flash, false, ['precedence'])])
      .when((c) => c.returnToDrafter(approver, 'Send it FLASH', at))
      .then([{ type: 'CableReturned', data: { by: by(approver), reason: 'Send it FLASH', at } }]);
  });

  it('reopens, for the repair of what an earlier version returned, the clearances an approver\'s returned edit changed, resubmitted or not', () => {
    const later = '2026-11-29T11:00:00.000Z';
    const pending = [drafted, requested, clearedByL, clearedByIsn, submitted];
    const byApprover = (when: string): CableEvent => ({ type: 'CableEdited', data: { draft: newText, substantive: true, by: by(approver), office: approver.office, as: 'approver', fields: ['paragraphs'], at: when } }) as CableEvent;
    const returnedWhole: CableEvent = { type: 'CableReturned', data: { by: by(approver), reason: 'Returned by an earlier version', at } };
    // Returned whole after the edit, and resubmitted since: the clearances are stale all the same.
    given(cableDefinition, 'k1', [...pending, byApprover(at), returnedWhole, submitted])
      .when((c) => c.reopenClearancesTheApproverChanged(later))
      .then([{ type: 'ClearancesMadeStale', data: { offices: ['L', 'ISN'], at: later } }]);
    // An edit the approver made since the last return, on the cable waiting for them, is theirs until they return it.
    given(cableDefinition, 'k1', [...pending, returnedWhole, submitted, byApprover(later)]).when((c) => c.reopenClearancesTheApproverChanged(later)).then([]);
    given(cableDefinition, 'k1', [...pending, byApprover(at)]).when((c) => c.reopenClearancesTheApproverChanged(later)).then([]);
  });

  it('is returned only while it waits for approval: once approved, it is released or cancelled (domain.md lifecycle)', () => {
    const approvedCable = [drafted, requested, clearedByL, clearedByIsn, submitted, approved];
    given(cableDefinition, 'k1', approvedCable).when((c) => c.returnToDrafter(approver, 'Second thoughts', at)).thenFails('INVALID_TRANSITION', /APPROVED/);
  });

  it('never changes once released or cancelled', () => {
    const done = [drafted, requested, clearedByL, clearedByIsn, submitted, approved, released];
    given(cableDefinition, 'k1', done).when((c) => c.edit(drafter, newText, world, at)).thenFails('INVALID_TRANSITION', /RELEASED/);
    given(cableDefinition, 'k1', done).when((c) => c.cancel(drafter, 'oops', at)).thenFails('INVALID_TRANSITION');
    given(cableDefinition, 'k1', done).when((c) => c.releaseAs(approver, release, {}, sent)).thenFails('INVALID_TRANSITION');
    const cancelled: CableEvent = { type: 'CableCancelled', data: { by: by(drafter), reason: 'Overtaken by events', at } };
    given(cableDefinition, 'k1', [drafted]).when((c) => c.cancel(drafter, 'Overtaken by events', at)).then([cancelled]);
    given(cableDefinition, 'k1', [drafted, cancelled]).when((c) => c.requestClearances(drafter, ['L'], at)).thenFails('INVALID_TRANSITION', /CANCELLED/);
    given(cableDefinition, 'k1', [drafted]).when((c) => c.cancel(legal, 'not mine', at)).thenFails('FORBIDDEN');
  });

  it('opens no campaign already overdue: a report-by date passed while the cable waited is refused at submit, approval and release', () => {
    const tasking: CableDraft = { ...confidentialDraft, kind: 'INSTRUCTION', demarche: { reportBy: '2026-11-30', targets: 'MFA', points: [1] } };
    const drafting: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: tasking, at } };
    const later = '2026-12-01T09:00:00.000Z';
    given(cableDefinition, 'k1', [drafting]).when((c) => c.submit(drafter, later)).thenFails('RULE_VIOLATED', /reportBy 2026-11-30 has passed/);
    given(cableDefinition, 'k1', [drafting]).when((c) => c.submit(drafter, '2026-11-30T23:59:00.000Z')).then([{ type: 'CableSubmitted', data: { by: by(drafter), at: '2026-11-30T23:59:00.000Z' } }]);
    given(cableDefinition, 'k1', [drafting, submitted]).when((c) => c.approve(approver, later)).thenFails('RULE_VIOLATED', /return it to the drafter/);
    given(cableDefinition, 'k1', [drafting, submitted, approved]).when((c) => c.releaseAs(approver, { ...release, releasedAt: later }, {}, sent)).thenFails('RULE_VIOLATED', /cancel it/);
  });

  it('tells someone who may not cancel a cable so before saying what state it is in', () => {
    const done = [drafted, requested, clearedByL, clearedByIsn, submitted, approved, released];
    given(cableDefinition, 'k1', done).when((c) => c.cancel(legal, 'not mine', at)).thenFails('FORBIDDEN');
    // Nor approve, return or release: an approver for another originator is told that, not the state.
    given(cableDefinition, 'k1', done).when((c) => c.approve(ambassador, at)).thenFails('FORBIDDEN', /release authority for STATE/);
    given(cableDefinition, 'k1', done).when((c) => c.returnToDrafter(ambassador, 'not mine', at)).thenFails('FORBIDDEN', /release authority for STATE/);
    given(cableDefinition, 'k1', done).when((c) => c.releaseAs(ambassador, release, {}, sent)).thenFails('FORBIDDEN', /release authority for STATE/);
  });

  it('asks each office once, and only its drafter asks', () => {
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.requestClearances(drafter, ['L', 'EB'], at)).then([{ type: 'ClearancesRequested', data: { offices: ['EB'], at } }]);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.requestClearances(drafter, ['L'], at)).thenFails('RULE_VIOLATED', /asked already/);
    given(cableDefinition, 'k1', [drafted]).when((c) => c.requestClearances(legal, ['L'], at)).thenFails('FORBIDDEN');
    given(cableDefinition, 'k1', [drafted]).when((c) => c.requestClearances(drafter, ['legal'], at)).thenFails('RULE_VIOLATED', /office symbol/);
  });

  it('knows who works it, for NODIS and EXDIS', () => {
    const cable = given(cableDefinition, 'k1', [drafted, requested, clearedByL, clearedByIsn, submitted, approved]).when(() => undefined).then([]);
    expect(cable.workingParty.sort()).toEqual(['a1', 'c1', 'c2', 'd1']);
  });
});

describe('Cable: clearing as the Department works it', () => {
  const stale = (...offices: string[]): CableEvent => ({ type: 'ClearancesMadeStale', data: { offices, at } });
  const returned: CableEvent = { type: 'CableReturned', data: { by: by(approver), reason: 'Soften paragraph 2', at } };
  const nonConcurByL: CableEvent = { type: 'ClearanceNonConcurred', data: { office: 'L', by: by(legal), comments: 'Para 2 overstates it.', at } };
  const cleared = [drafted, requested, clearedByL, clearedByIsn];

  it('lets a clearer of an office asked edit ("clear with edits"): the edit is theirs, and their own clearance stands', () => {
    const cable = given(cableDefinition, 'k1', cleared)
      .when((c) => c.edit(legal, newText, world, at))
      .then([edited(newText, true, ['paragraphs'], legal, 'clearer'), stale('ISN')]);
    expect(cable.clearances.map((c) => [c.office, c.status])).toEqual([['L', 'CLEARED'], ['ISN', 'STALE']]);
    expect(cable.edits).toEqual([{ by: by(legal), office: 'L', as: 'clearer', fields: ['paragraphs'], substantive: true, at, writtenUnder: { classification: 'CONFIDENTIAL', captions: ['SIPDIS'], status: 'IN_CLEARANCE' } }]);
  });

  it('refuses edits from a clearer of an office not asked, and from anyone once submitted but its approver', () => {
    const eb: CableActor = { ...isn, id: 'c3', office: 'EB' };
    given(cableDefinition, 'k1', cleared).when((c) => c.edit(eb, newText, world, at)).thenFails('FORBIDDEN', /clearer of an office asked/);
    given(cableDefinition, 'k1', [...cleared, submitted]).when((c) => c.edit(legal, newText, world, at)).thenFails('INVALID_TRANSITION', /PENDING_APPROVAL/);
    given(cableDefinition, 'k1', [...cleared, submitted]).when((c) => c.edit(drafter, newText, world, at)).thenFails('INVALID_TRANSITION', /PENDING_APPROVAL/);
  });

  it('lets the approver edit a submitted cable, attributed, without reopening clearance', () => {
    const cable = given(cableDefinition, 'k1', [...cleared, submitted])
      .when((c) => c.edit(approver, newText, world, at))
      .then([edited(newText, true, ['paragraphs'], approver, 'approver')]);
    expect(cable.status).toBe('PENDING_APPROVAL');
    given(cableDefinition, 'k1', [...cleared, submitted, approved]).when((c) => c.edit(approver, newText, world, at)).thenFails('INVALID_TRANSITION', /APPROVED/);
  });

  it('keeps the clearance round through a return: changed-text offices re-clear directly, the rest stand, then it goes again', () => {
    const afterEdit = [...cleared, submitted, returned, edited(newText, true, ['paragraphs']), stale('L', 'ISN')];
    const cable = given(cableDefinition, 'k1', afterEdit).when(() => undefined).then([]);
    expect(cable.status).toBe('DRAFT');
    expect(cable.returns).toEqual([{ reason: 'Soften paragraph 2', by: by(approver), at, writtenUnder: { classification: 'CONFIDENTIAL', captions: ['SIPDIS'], status: 'PENDING_APPROVAL' } }]);
    given(cableDefinition, 'k1', afterEdit).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /L \(cleared an earlier text\), ISN \(cleared an earlier text\)/);
    const reclearedL: CableEvent = { type: 'ClearanceGranted', data: { office: 'L', by: by(legal), at } };
    given(cableDefinition, 'k1', afterEdit).when((c) => c.decideClearance(legal, 'L', 'CLEARED', null, at)).then([reclearedL]);
    const reclearedIsn: CableEvent = { type: 'ClearanceGranted', data: { office: 'ISN', by: by(isn), at } };
    given(cableDefinition, 'k1', [...afterEdit, reclearedL, reclearedIsn]).when((c) => c.submit(drafter, at)).then([submitted]);
  });

  it('asks again for an office whose clearance is stale or did not concur; not for one whose clearance stands', () => {
    given(cableDefinition, 'k1', [...cleared, edited(newText, true), stale('L', 'ISN')])
      .when((c) => c.requestClearances(drafter, ['L'], at))
      .then([{ type: 'ClearancesRequested', data: { offices: ['L'], at } }]);
    const cable = given(cableDefinition, 'k1', [drafted, requested, nonConcurByL])
      .when((c) => c.requestClearances(drafter, ['L', 'ISN'], at))
      .then([{ type: 'ClearancesRequested', data: { offices: ['L'], at } }]);
    expect(cable.clearances.map((c) => [c.office, c.status])).toEqual([['L', 'PENDING'], ['ISN', 'PENDING']]);
    given(cableDefinition, 'k1', cleared).when((c) => c.requestClearances(drafter, ['L'], at)).thenFails('RULE_VIOLATED', /stands/);
  });

  it('answers once per text: a cleared office answers again only once stale; the office that did not concur may clear', () => {
    given(cableDefinition, 'k1', cleared).when((c) => c.decideClearance(legal, 'L', 'NON_CONCUR', 'changed my mind', at)).thenFails('INVALID_TRANSITION', /cleared this text already/);
    given(cableDefinition, 'k1', [drafted, requested, nonConcurByL])
      .when((c) => c.decideClearance(legal, 'L', 'CLEARED', null, at))
      .then([{ type: 'ClearanceGranted', data: { office: 'L', by: by(legal), at } }]);
  });

  it('blocks on a non-concurrence until that office clears or the drafter withdraws the request; the withdrawal stays on the cable', () => {
    const blocked = [drafted, requested, nonConcurByL, clearedByIsn];
    given(cableDefinition, 'k1', blocked).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /L \(does not concur\)/);
    const withdrawn: CableEvent = { type: 'ClearanceRequestWithdrawn', data: { office: 'L', status: 'NON_CONCUR', comments: 'Para 2 overstates it.', by: by(drafter), at } };
    const cable = given(cableDefinition, 'k1', blocked).when((c) => c.withdrawClearanceRequest(drafter, 'L', at)).then([withdrawn]);
    expect(cable.clearances.map((c) => c.office)).toEqual(['ISN']);
    expect(cable.withdrawals).toEqual([{ office: 'L', status: 'NON_CONCUR', comments: 'Para 2 overstates it.', by: by(drafter), at, writtenUnder: { classification: 'CONFIDENTIAL', captions: ['SIPDIS'], status: 'IN_CLEARANCE' } }]);
    expect(cable.access.clearances).toEqual([{ office: 'ISN', status: 'CLEARED_WITH_COMMENTS' }]);
    given(cableDefinition, 'k1', [...blocked, withdrawn]).when((c) => c.submit(drafter, at)).then([submitted]);
  });

  it('withdraws an office that did not concur, asked again and not yet answering, as it last answered: the approver sees its objection', () => {
    const askedAgain: CableEvent = { type: 'ClearancesRequested', data: { offices: ['L'], at } };
    const withdrawn: CableEvent = { type: 'ClearanceRequestWithdrawn', data: { office: 'L', status: 'NON_CONCUR', comments: 'Para 2 overstates it.', by: by(drafter), at } };
    const cable = given(cableDefinition, 'k1', [drafted, requested, nonConcurByL, askedAgain]).when((c) => c.withdrawClearanceRequest(drafter, 'L', at)).then([withdrawn]);
    expect(cable.withdrawals).toEqual([{ office: 'L', status: 'NON_CONCUR', comments: 'Para 2 overstates it.', by: by(drafter), at, writtenUnder: { classification: 'CONFIDENTIAL', captions: ['SIPDIS'], status: 'IN_CLEARANCE' } }]);
    // Answered again since, its objection is gone: a withdrawal is of what it answers now.
    const cleared: CableEvent = { type: 'ClearanceGranted', data: { office: 'L', by: by(legal), at } };
    given(cableDefinition, 'k1', [drafted, requested, nonConcurByL, askedAgain, cleared]).when((c) => c.withdrawClearanceRequest(drafter, 'L', at)).thenFails('INVALID_TRANSITION', /CLEARED/);
    // The cable's answer does not show a pending office's past objection beside it.
    expect(cable.clearances).toEqual([expect.objectContaining({ office: 'ISN' })]);
  });

  it('keeps an objection withdrawn once in the withdrawals for good: the office asked afresh and withdrawn again is a request never answered, beside it', () => {
    const withdrawnObjection: CableEvent = { type: 'ClearanceRequestWithdrawn', data: { office: 'L', status: 'NON_CONCUR', comments: 'Para 2 overstates it.', by: by(drafter), at } };
    const askedAfresh: CableEvent = { type: 'ClearancesRequested', data: { offices: ['L'], at } };
    const cable = given(cableDefinition, 'k1', [drafted, requested, nonConcurByL, withdrawnObjection, askedAfresh])
      .when((c) => c.withdrawClearanceRequest(drafter, 'L', at))
      .then([{ type: 'ClearanceRequestWithdrawn', data: { office: 'L', status: 'PENDING', comments: null, by: by(drafter), at } }]);
    expect(cable.withdrawals.map((w) => [w.office, w.status, w.comments])).toEqual([['L', 'NON_CONCUR', 'Para 2 overstates it.'], ['L', 'PENDING', null]]);
  });

  it('withdraws only a pending or non-concurring request, and only by its drafter', () => {
    given(cableDefinition, 'k1', [drafted, requested])
      .when((c) => c.withdrawClearanceRequest(drafter, 'ISN', at))
      .then([{ type: 'ClearanceRequestWithdrawn', data: { office: 'ISN', status: 'PENDING', comments: null, by: by(drafter), at } }]);
    given(cableDefinition, 'k1', cleared).when((c) => c.withdrawClearanceRequest(drafter, 'L', at)).thenFails('INVALID_TRANSITION', /CLEARED/);
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.withdrawClearanceRequest(legal, 'L', at)).thenFails('FORBIDDEN');
    given(cableDefinition, 'k1', [drafted, requested]).when((c) => c.withdrawClearanceRequest(drafter, 'EB', at)).thenFails('RULE_VIOLATED', /not asked/);
    given(cableDefinition, 'k1', [...cleared, submitted]).when((c) => c.withdrawClearanceRequest(drafter, 'L', at)).thenFails('INVALID_TRANSITION');
  });

  it('goes to approval only with the clearances the rules require, naming the missing offices', () => {
    const required = [{ office: 'EAP', why: 'its posts are tasked' }, { office: 'S/ES-O', why: 'ALDAC' }];
    given(cableDefinition, 'k1', cleared).when((c) => c.submit(drafter, at, { required })).thenFails('RULE_VIOLATED', /EAP \(its posts are tasked\); S\/ES-O \(ALDAC\)/);
  });

  it('holds the rules\' clearances at approval and release too: an approver\'s edit after submission calls for them as a draft would', () => {
    const required = [{ office: 'EAP', why: 'its posts are tasked through NEA_POSTS' }];
    given(cableDefinition, 'k1', [...cleared, submitted]).when((c) => c.approve(approver, at, { required })).thenFails('RULE_VIOLATED', /EAP \(its posts are tasked through NEA_POSTS\): return it to the drafter/);
    given(cableDefinition, 'k1', [...cleared, submitted, approved]).when((c) => c.releaseAs(approver, release, { required }, sent)).thenFails('RULE_VIOLATED', /EAP \(its posts are tasked through NEA_POSTS\): an approved cable/);
    // An office that cleared counts, as at submission.
    const byBureau = [{ office: 'ISN', why: 'named' }];
    given(cableDefinition, 'k1', [...cleared, submitted]).when((c) => c.approve(approver, at, { required: byBureau })).then([approved]);
    given(cableDefinition, 'k1', [...cleared, submitted, approved]).when((c) => c.releaseAs(approver, release, { required: byBureau }, sent)).then([released]);
  });

  it('addresses only open posts at each step to release: a post suspended or closed since it was addressed stops it', () => {
    const toParis: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: { ...confidentialDraft, actionAddressees: ['PARIS'], infoAddressees: ['LONDON', 'ROME'] }, at } };
    const ready = [toParis, requested, clearedByL, clearedByIsn];
    given(cableDefinition, 'k1', ready).when((c) => c.submit(drafter, at, { unreachable: ['PARIS'] })).thenFails('RULE_VIOLATED', /^PARIS is no longer an open post: edit its addressees, then submit it$/);
    given(cableDefinition, 'k1', [...ready, submitted]).when((c) => c.approve(approver, at, { unreachable: ['LONDON', 'ROME'] })).thenFails('RULE_VIOLATED', /^LONDON, ROME are no longer an open post: edit its addressees, or return it/);
    given(cableDefinition, 'k1', [...ready, submitted, approved]).when((c) => c.releaseAs(approver, release, { unreachable: ['ROME'] }, sent)).thenFails('RULE_VIOLATED', /^ROME is no longer an open post: an approved cable is no longer edited/);
    // Posts that are open, or closed but not addressed, do not stop it.
    given(cableDefinition, 'k1', ready).when((c) => c.submit(drafter, at, { unreachable: ['TOKYO'] })).then([submitted]);
  });

  it('says what the rules would refuse of its next step, as that step\'s refusal says it, without taking it', () => {
    const toParis: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: by(drafter), draft: { ...confidentialDraft, actionAddressees: ['PARIS'] }, at } };
    const ready = [toParis, requested, clearedByL, clearedByIsn];
    const required = [{ office: 'EAP', why: 'its posts are tasked' }];
    const cable = given(cableDefinition, 'k1', ready).when(() => undefined).then([]);
    expect(cable.nextStep).toBe('submit');
    expect(cable.stepRefusals({ unreachable: ['PARIS'], required }, at)).toEqual(['PARIS is no longer an open post: edit its addressees, then submit it', 'clearances required and not given: EAP (its posts are tasked)']);
    expect(cable.getUncommittedEvents()).toEqual([]);
    expect(cable.stepRefusals({ unreachable: ['TOKYO'] }, at)).toEqual([]);
    // Offices asked that have not cleared: submitting waits for them, said as the command says it.
    const inClearance = given(cableDefinition, 'k1', [toParis, requested, clearedByL]).when(() => undefined).then([]);
    expect(inClearance.stepRefusals({ unreachable: ['PARIS'] }, at)).toEqual(['clearances still needed: ISN (not answered yet)', 'PARIS is no longer an open post: edit its addressees, then submit it']);
    given(cableDefinition, 'k1', [toParis, requested, clearedByL]).when((c) => c.submit(drafter, at)).thenFails('RULE_VIOLATED', /^clearances still needed: ISN \(not answered yet\)$/);
    // And in the same refusal, the offices the rule requires that nobody asked (not those asked and awaited).
    const requiredToo = [{ office: 'EAP', why: 'its posts are tasked' }, { office: 'ISN', why: 'its subject' }];
    given(cableDefinition, 'k1', [toParis, requested, clearedByL])
      .when((c) => c.submit(drafter, at, { required: requiredToo }))
      .thenFails('RULE_VIOLATED', /^clearances still needed: ISN \(not answered yet\); clearances required and not given: EAP \(its posts are tasked\)$/);
    expect(inClearance.stepRefusals({ required: requiredToo }, at)).toEqual(['clearances still needed: ISN (not answered yet)', 'clearances required and not given: EAP (its posts are tasked)']);
    // Closed posts among both kinds of addressee: each field's refusal is named.
    const both = given(cableDefinition, 'k1', [{ ...toParis, data: { ...toParis.data, draft: { ...toParis.data.draft, infoAddressees: ['ROME'] } } } as CableEvent, requested, clearedByL, clearedByIsn]).when(() => undefined).then([]);
    expect(both.stepRefusals({ unreachable: ['PARIS', 'ROME'] }, at)).toEqual(['PARIS is no longer an open post: edit its addressees, then submit it', 'ROME is no longer an open post: edit its addressees, then submit it']);
    const waiting = given(cableDefinition, 'k1', [...ready, submitted]).when(() => undefined).then([]);
    expect([waiting.nextStep, waiting.stepRefusals({ required }, at)]).toEqual(['approve', ['clearances required and not given: EAP (its posts are tasked): return it to the drafter to have them asked']]);
    const approvedCable = given(cableDefinition, 'k1', [...ready, submitted, approved]).when(() => undefined).then([]);
    expect(approvedCable.nextStep).toBe('release');
    expect(approvedCable.stepRefusals({ unreachable: ['PARIS'] }, at)).toEqual([expect.stringMatching(/^PARIS is no longer an open post: an approved cable is no longer edited/)]);
    // A release whose collectives no longer reach an open post for action is refused, and said so beforehand.
    expect(approvedCable.stepRefusals({ postsForAction: 0 }, at)).toEqual(['the release reaches no post for action']);
    expect(approvedCable.stepRefusals({ postsForAction: 2 }, at)).toEqual([]);
    given(cableDefinition, 'k1', [...ready, submitted, approved]).when((c) => c.releaseAs(approver, { ...release, distribution: { action: [], info: ['TOKYO'] } }, {}, sent)).thenFails('RULE_VIOLATED', /reaches no post for action/);
    // The telegram is rendered only once every rule has passed.
    const rendered: string[] = [];
    const rendering = (order: { mrn: string }) => (rendered.push(order.mrn), sent(order));
    given(cableDefinition, 'k1', [...ready, submitted, approved]).when((c) => c.releaseAs(approver, release, { unreachable: ['PARIS'] }, rendering)).thenFails('RULE_VIOLATED', /no longer an open post/);
    expect(rendered).toEqual([]);
    given(cableDefinition, 'k1', [...ready, submitted, approved]).when((c) => c.releaseAs(approver, release, {}, rendering)).then([{ ...released, data: { ...released.data } }]);
    expect(rendered).toEqual([release.mrn]);
    // Released: no step is left, and nothing refused.
    const done = given(cableDefinition, 'k1', [...ready, submitted, approved, released]).when(() => undefined).then([]);
    expect([done.nextStep, done.stepRefusals({ unreachable: ['PARIS'] }, at)]).toEqual([null, []]);
  });

  it('names which fields an edit changed', () => {
    expect(changedFields(confidentialDraft, newText)).toEqual(['paragraphs']);
    expect(changedFields(confidentialDraft, { ...confidentialDraft, subject: 'x', captions: [] })).toEqual(['captions', 'subject']);
  });
});

describe('the collective tasking rule', () => {
  const isCollective = (code: string) => ['ALDAC', 'ALLDP', 'EAP_POSTS'].includes(code);
  const reach = (entries: Record<string, string[]>) => new Map(Object.entries(entries));
  it('needs each tasked regional bureau, and S/ES-O for ALDAC and ALLDP instructions', () => {
    expect(collectiveTaskingClearances(confidentialDraft, 'STATE', isCollective, reach({ [confidentialDraft.actionAddressees[0]]: ['EUR', 'AF', 'EAP'] })).map((r) => r.office)).toEqual(['AF', 'EAP', 'EUR', 'S/ES-O']);
    expect(collectiveTaskingClearances({ kind: 'INSTRUCTION', actionAddressees: ['EAP_POSTS'] }, 'STATE', isCollective, reach({ EAP_POSTS: ['EAP'] })).map((r) => r.office)).toEqual(['EAP']);
  });

  it('says for each bureau which collectives reach its posts', () => {
    const required = collectiveTaskingClearances({ kind: 'INSTRUCTION', actionAddressees: ['EAP_POSTS', 'ALLDP', 'PARIS'] }, 'STATE', isCollective, reach({ EAP_POSTS: ['EAP'], ALLDP: ['AF', 'EAP', 'EUR'], PARIS: ['EUR'] }));
    expect(required).toEqual([
      { office: 'AF', why: 'its posts are tasked through ALLDP' },
      { office: 'EAP', why: 'its posts are tasked through EAP_POSTS, ALLDP' },
      { office: 'EUR', why: 'its posts are tasked through ALLDP' },
      { office: 'S/ES-O', why: 'an instruction to ALLDP' },
    ]);
    const named = collectiveTaskingClearances({ kind: 'INSTRUCTION', actionAddressees: ['EAP_POSTS', 'PARIS'] }, 'STATE', isCollective, reach({ EAP_POSTS: ['EAP'], PARIS: ['EUR'] }));
    expect(named).toEqual([
      { office: 'EAP', why: 'its posts are tasked through EAP_POSTS' },
      { office: 'EUR', why: 'its posts are named in an instruction to EAP_POSTS' },
    ]);
  });

  it('does not apply to cables that task no posts through a collective', () => {
    expect(collectiveTaskingClearances({ kind: 'INSTRUCTION', actionAddressees: ['BEIJING'] }, 'STATE', isCollective, reach({ BEIJING: ['EAP'] }))).toEqual([]);
    expect(collectiveTaskingClearances({ kind: 'INFORMATIONAL', actionAddressees: ['ALDAC'] }, 'STATE', isCollective, reach({ ALDAC: ['EAP'] }))).toEqual([]);
    expect(collectiveTaskingClearances({ kind: 'REPORTING', actionAddressees: ['SECSTATE'] }, 'BEIJING', isCollective, reach({}))).toEqual([]);
  });

  it('counts a bureau as cleared by the bureau or one of its offices; other offices only by themselves', () => {
    const given = (office: string, status: 'CLEARED' | 'PENDING' = 'CLEARED') => ({ office, status, by: null, at: null, comments: null, writtenUnder: null });
    const required = [{ office: 'EAP', why: '' }, { office: 'S/ES-O', why: '' }];
    expect(missingClearances(required, [given('EAP/CM'), given('S/ES-O')])).toEqual([]);
    expect(missingClearances(required, [given('EAPX'), given('S/ES')]).map((r) => r.office)).toEqual(['EAP', 'S/ES-O']);
    expect(missingClearances(required, [given('EAP', 'PENDING'), given('S/ES-O')]).map((r) => r.office)).toEqual(['EAP']);
  });
});

describe('cable snapshots', () => {
  it('restore a cable that decides as the replayed one does, through JSON as the store keeps them', () => {
    const history = [drafted, requested, clearedByL, clearedByIsn, submitted, approved, released];
    const replayed = given(cableDefinition, 'k9', history).when(() => undefined).then([]);
    const snapshots = cableDefinition.snapshots!;
    const restored = snapshots.restore('k9', JSON.parse(JSON.stringify(snapshots.take(replayed))));
    expect(restored).toBeInstanceOf(Cable);
    expect(snapshots.take(restored)).toEqual(snapshots.take(replayed));
    expect(restored.workingParty).toEqual(replayed.workingParty);
    expect(() => restored.edit(drafter, newText, world, at)).toThrow(/RELEASED/);
  });
});
