import { emailLabel, isAddressedTo, notificationOf, noticeText, type Recipient } from './notification-rules.js';

const cable = 'cable-5f0c5a3e-0000-4000-8000-000000000001';
const followUp = 'followup-5f0c5a3e-0000-4000-8000-000000000002';
/** When the notices below happened; everyone is placed where they are, in every role, a year before, unless said. */
const at = new Date('2026-12-01T09:00:00.000Z');
const person = ({ placedAt = new Date('2025-12-01T09:00:00.000Z'), ...p }: Partial<Recipient> & { placedAt?: Date }): Recipient => {
  const { roles = ['drafter'] } = p;
  return { id: 'u1', office: null, postCode: null, ...p, roles, rolesSince: p.rolesSince ?? Object.fromEntries(roles.map((role) => [role, placedAt])) };
};

describe('who is told of what', () => {
  it('asks the clearers of each office asked, never the drafter', () => {
    const notice = notificationOf({ type: 'ClearancesRequested', streamId: cable, data: { offices: ['L', 'EB', 'L'] } }, { createdBy: 'drafter' })!;
    expect(notice).toMatchObject({ kind: 'clearance-requested', record: { type: 'cable' }, offices: ['L', 'EB'], officeRoles: ['clearer'], exceptUser: 'drafter' });
    expect(isAddressedTo(person({ id: 'c', roles: ['clearer'], office: 'L' }), notice, at)).toBe(true);
    expect(isAddressedTo(person({ id: 'd', roles: ['drafter'], office: 'L' }), notice, at)).toBe(false);
    expect(isAddressedTo(person({ id: 'c', roles: ['clearer'], office: 'ISN' }), notice, at)).toBe(false);
    expect(isAddressedTo(person({ id: 'drafter', roles: ['drafter', 'clearer'], office: 'L' }), notice, at)).toBe(false);
  });

  it('asks the offices whose clearance went stale again', () => {
    const stale = notificationOf({ type: 'ClearancesMadeStale', streamId: cable, data: { offices: ['L'] } }, { createdBy: 'drafter' })!;
    expect(stale).toMatchObject({ kind: 'clearance-requested', offices: ['L'], officeRoles: ['clearer'], exceptUser: 'drafter', detail: { again: 'true' } });
    expect(noticeText(stale.kind, 'Subject', stale.detail)).toBe('A cable changed since it was cleared and needs your clearance again (L): Subject');
  });

  it('gives a returned cable back to its drafter, and tells the posts a cable went to (not SECSTATE)', () => {
    const returned = notificationOf({ type: 'CableReturned', streamId: cable, data: { reason: 'x' } }, { createdBy: 'drafter' })!;
    expect(isAddressedTo(person({ id: 'drafter' }), returned, at)).toBe(true);
    expect(isAddressedTo(person({ id: 'other' }), returned, at)).toBe(false);
    expect(notificationOf({ type: 'CableReturned', streamId: cable, data: {} }, undefined)).toBeNull();
    const released = notificationOf({ type: 'CableReleased', streamId: cable, data: { distribution: { action: ['BEIJING', 'SECSTATE'], info: ['TOKYO', 'BEIJING'] } } }, undefined)!;
    expect(released.posts).toEqual(['BEIJING', 'TOKYO']);
    expect(isAddressedTo(person({ roles: ['post_officer'], postCode: 'TOKYO' }), released, at)).toBe(true);
    expect(isAddressedTo(person({ roles: ['approver'], postCode: 'TOKYO' }), released, at)).toBe(false);
    expect(notificationOf({ type: 'CableReleased', streamId: cable, data: { distribution: { action: ['SECSTATE'], info: [] } } }, undefined)).toBeNull();
  });

  it('tells a follow-up’s owner and creator it is overdue, and the bureau it escalated to', () => {
    const overdue = notificationOf({ type: 'FollowUpBecameOverdue', streamId: followUp, data: { dueOn: '2026-12-01' } }, { createdBy: 'creator', owner: { post: 'BEIJING' } })!;
    expect(overdue).toMatchObject({ kind: 'follow-up-overdue', record: { type: 'followup' }, users: ['creator'], posts: ['BEIJING'], offices: [] });
    expect(isAddressedTo(person({ id: 'creator' }), overdue, at)).toBe(true);
    expect(isAddressedTo(person({ roles: ['post_officer'], postCode: 'BEIJING' }), overdue, at)).toBe(true);
    // An office's: those who work its follow-ups, not its auditors (they only read).
    const office = notificationOf({ type: 'FollowUpBecameOverdue', streamId: followUp, data: { dueOn: '2026-12-01' } }, { createdBy: 'creator', owner: { office: 'EAP/CM' } })!;
    for (const role of ['drafter', 'clearer', 'approver', 'leadership'] as const) expect(isAddressedTo(person({ office: 'EAP/CM', roles: [role] }), office, at)).toBe(true);
    for (const role of ['auditor', 'admin'] as const) expect(isAddressedTo(person({ office: 'EAP/CM', roles: [role] }), office, at)).toBe(false);
    const escalated = notificationOf({ type: 'FollowUpEscalated', streamId: followUp, data: { to: 'EAP' } }, undefined)!;
    expect(isAddressedTo(person({ office: 'EAP', roles: ['leadership'] }), escalated, at)).toBe(true);
    expect(isAddressedTo(person({ office: 'EAP/CM', roles: ['leadership'] }), escalated, at)).toBe(false);
    // The front office is the bureau's leadership: its approvers and clearers cannot act on it, and are not told.
    for (const role of ['approver', 'clearer', 'drafter'] as const) expect(isAddressedTo(person({ office: 'EAP', roles: [role] }), escalated, at)).toBe(false);
    expect(noticeText(escalated.kind, 'Seek a meeting', escalated.detail)).toBe('A follow-up was escalated to EAP: Seek a meeting');
  });

  it('tells of an office’s or a post’s notices only those placed there when it happened; a person’s own, wherever they are', () => {
    const asked = notificationOf({ type: 'ClearancesRequested', streamId: cable, data: { offices: ['EUR'] } }, { createdBy: 'drafter' })!;
    const joinedLater = new Date(at.getTime() + 1);
    expect(isAddressedTo(person({ roles: ['clearer'], office: 'EUR', placedAt: joinedLater }), asked, at)).toBe(false);
    expect(isAddressedTo(person({ roles: ['clearer'], office: 'EUR', placedAt: at }), asked, at)).toBe(true); // placed the same instant
    const released = notificationOf({ type: 'CableReleased', streamId: cable, data: { distribution: { action: ['TOKYO'], info: [] } } }, undefined)!;
    expect(isAddressedTo(person({ roles: ['post_officer'], postCode: 'TOKYO', placedAt: joinedLater }), released, at)).toBe(false);
    const overdue = notificationOf({ type: 'FollowUpBecameOverdue', streamId: followUp, data: { dueOn: '2026-12-01' } }, { createdBy: 'creator', owner: { office: 'EUR' } })!;
    expect(isAddressedTo(person({ id: 'creator', office: 'EUR', placedAt: joinedLater }), overdue, at)).toBe(true); // its creator, named
    expect(isAddressedTo(person({ id: 'other', office: 'EUR', placedAt: joinedLater }), overdue, at)).toBe(false);
  });

  it('tells of what is addressed to an office’s clearers or a post’s officers only those who held that role there when it happened', () => {
    const asked = notificationOf({ type: 'ClearancesRequested', streamId: cable, data: { offices: ['EUR'] } }, { createdBy: 'drafter' })!;
    const [before, givenLater] = [new Date(at.getTime() - 1), new Date(at.getTime() + 1)];
    const eur = (rolesSince: Recipient['rolesSince']) => person({ roles: ['drafter', 'clearer'], office: 'EUR', placedAt: before, rolesSince });
    expect(isAddressedTo(eur({ drafter: before, clearer: givenLater }), asked, at)).toBe(false); // a drafter made a clearer after
    expect(isAddressedTo(eur({ drafter: givenLater, clearer: before }), asked, at)).toBe(true); // a clearer then, given another role since
    expect(isAddressedTo(eur({ drafter: before, clearer: at }), asked, at)).toBe(true); // given it the same instant
    const released = notificationOf({ type: 'CableReleased', streamId: cable, data: { distribution: { action: ['TOKYO'], info: [] } } }, undefined)!;
    const tokyo = (since: Date) => person({ roles: ['approver', 'post_officer'], postCode: 'TOKYO', placedAt: before, rolesSince: { approver: before, post_officer: since } });
    expect(isAddressedTo(tokyo(givenLater), released, at)).toBe(false);
    expect(isAddressedTo(tokyo(before), released, at)).toBe(true);
    // A notice to an office's working people goes by when they took a working role there.
    const overdue = notificationOf({ type: 'FollowUpBecameOverdue', streamId: followUp, data: { dueOn: '2026-12-01' } }, { createdBy: 'creator', owner: { office: 'EUR' } })!;
    expect(isAddressedTo(eur({ drafter: givenLater, clearer: givenLater }), overdue, at)).toBe(false);
    expect(isAddressedTo(eur({ drafter: givenLater, clearer: before }), overdue, at)).toBe(true);
  });

  it('makes nothing of other events or streams', () => {
    expect(notificationOf({ type: 'CableEdited', streamId: cable, data: {} }, { createdBy: 'x' })).toBeNull();
    expect(notificationOf({ type: 'CableReleased', streamId: 'campaign-1', data: {} }, undefined)).toBeNull();
  });
});

describe('what an email may say', () => {
  it('names an unclassified record by its subject line, anything marked only by its MRN or id', () => {
    expect(emailLabel({ type: 'cable', id: 'k', mrn: '26 STATE 000001', title: 'Plain', classification: 'UNCLASSIFIED' })).toBe('26 STATE 000001 Plain');
    expect(emailLabel({ type: 'cable', id: 'k', mrn: '26 STATE 000001', title: 'Secret words', classification: 'CONFIDENTIAL' })).toBe('26 STATE 000001');
    expect(emailLabel({ type: 'cable', id: 'k', mrn: null, title: 'Sensitive words', classification: 'SBU' })).toBe('cable k');
    expect(emailLabel({ type: 'cable', id: 'k', title: 'A marked subject', classification: 'UNCLASSIFIED', subjectMarking: 'SBU' })).toBe('cable k');
    expect(emailLabel({ type: 'followup', id: 'f', title: 'Linked', classification: 'SECRET' })).toBe('follow-up f');
  });
});
