import type { Principal } from '@chancery/identity/domain';
import { given } from '../../../../test/support/aggregate-spec.js';
import { bureauOfOffice, FollowUp, followUpDefinition, type FollowUpEvent } from './follow-up.aggregate.js';

const at = '2026-11-29T10:00:00.000Z';
const drafter: Principal = { id: 'd1', username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET' };
const beijing: Principal = { id: 'p1', username: 'bj', roles: ['post_officer'], office: null, postCode: 'BEIJING', clearance: 'SECRET' };
const other: Principal = { id: 'x1', username: 'x', roles: ['drafter'], office: 'EUR/WE', postCode: null, clearance: 'SECRET' };
const created: FollowUpEvent = {
  type: 'FollowUpCreated',
  data: {
    title: 'Seek a second meeting', description: '', owner: { post: 'BEIJING' }, ownerBureau: 'EAP', dueOn: '2026-12-10',
    links: { demarcheId: null, post: 'BEIJING', cableId: null }, classification: 'UNCLASSIFIED', createdBy: { id: 'd1', username: 'jdoe' }, at,
  },
};
const by = (p: Principal) => ({ id: p.id, username: p.username });

describe('FollowUp', () => {
  it('is created with an owner and a due date, and refuses a bad owner', () => {
    const f = FollowUp.create('f1', { title: 'Seek a second meeting', description: '', owner: { post: 'BEIJING' }, ownerBureau: 'EAP', dueOn: '2026-12-10', links: created.data.links }, drafter, at);
    expect(f.getUncommittedEvents()).toEqual([created]);
    expect(() => FollowUp.create('f2', { ...created.data, owner: { office: 'eap' } }, drafter, at)).toThrow(/office symbol/);
    expect(() => FollowUp.create('f2', { ...created.data, dueOn: 'soon' }, drafter, at)).toThrow(/YYYY-MM-DD/);
  });

  it('is never created due in the past (today is fine), nor re-dated into it', () => {
    expect(() => FollowUp.create('f2', { ...created.data, dueOn: '2025-11-29' }, drafter, at)).toThrow(/past/);
    expect(FollowUp.create('f2', { ...created.data, dueOn: '2026-11-29' }, drafter, at).dueOn).toBe('2026-11-29');
    given(followUpDefinition, 'f1', [created]).when((f) => f.changeDueDate(drafter, '2026-11-28', at)).thenFails('RULE_VIOLATED', /past/);
  });

  it('is never due on a day the calendar does not have, at creation nor when re-dated', () => {
    for (const dueOn of ['2027-02-30', '2027-13-01', '2026-11-31', '2026-12-32', '2027-02-29']) {
      expect(() => FollowUp.create('f2', { ...created.data, dueOn }, drafter, at)).toThrow(`dueOn: ${dueOn} is no day of the calendar`);
      given(followUpDefinition, 'f1', [created]).when((f) => f.changeDueDate(drafter, dueOn, at)).thenFails('RULE_VIOLATED', /dueOn: \S+ is no day of the calendar/);
    }
    expect(FollowUp.create('f2', { ...created.data, dueOn: '2028-02-29' }, drafter, at).dueOn).toBe('2028-02-29');
  });

  it('from a response names its campaign and post', () => {
    expect(() => FollowUp.create('f2', { ...created.data, links: { demarcheId: null, post: 'BEIJING', cableId: null, response: 2 } }, drafter, at)).toThrow(/demarcheId/);
    const f = FollowUp.create('f2', { ...created.data, links: { demarcheId: 'c1', post: 'BEIJING', cableId: null, response: 2 } }, drafter, at);
    expect(f.links.response).toBe(2);
  });

  it('once escalated, may be reassigned or re-dated by the escalation bureau’s leadership; that resolves the escalation', () => {
    const late = '2026-12-11T00:00:00.000Z';
    const overdue: FollowUpEvent[] = [
      { type: 'FollowUpBecameOverdue', data: { dueOn: '2026-12-10', at: late } },
      { type: 'FollowUpEscalated', data: { to: 'EAP', at: late } },
    ];
    const eapFrontOffice: Principal = { id: 'l1', username: 'eap.fo', roles: ['leadership'], office: 'EAP', postCode: null, clearance: 'SECRET' };
    expect(given(followUpDefinition, 'f1', [created]).when(() => undefined).then([]).mayActOnEscalation(eapFrontOffice)).toBe(false);
    const escalated = given(followUpDefinition, 'f1', [created, ...overdue]).when(() => undefined).then([]);
    expect(escalated.mayActOnEscalation(eapFrontOffice)).toBe(true);
    expect(escalated.mayActOnEscalation({ ...eapFrontOffice, office: 'EUR' })).toBe(false);
    expect(escalated.mayActOnEscalation({ ...eapFrontOffice, roles: ['drafter'] })).toBe(false);
    // Handed over past its due date, it comes with a new one: else it would escalate straight back.
    given(followUpDefinition, 'f1', [created, ...overdue])
      .when((f) => f.reassign(eapFrontOffice, { office: 'EAP/J' }, 'EAP', late))
      .thenFails('RULE_VIOLATED', /due on 2026-12-10: give its new owner a due date/);
    // ...a date today or later: the one it had (sent back as read), or another past one, would be overdue at once.
    for (const past of ['2026-12-10', '2026-12-09']) {
      given(followUpDefinition, 'f1', [created, ...overdue])
        .when((f) => f.reassign(eapFrontOffice, { office: 'EAP/J' }, 'EAP', late, past))
        .thenFails('RULE_VIOLATED', /due on 2026-12-10: give its new owner a due date, today or later/);
    }
    given(followUpDefinition, 'f1', [created, ...overdue])
      .when((f) => f.reassign(eapFrontOffice, { office: 'EAP/J' }, 'EAP', late, '2026-12-11'))
      .then([
        { type: 'FollowUpReassigned', data: { owner: { office: 'EAP/J' }, ownerBureau: 'EAP', by: by(eapFrontOffice), at: late } },
        { type: 'FollowUpEscalationResolved', data: { by: by(eapFrontOffice), at: late } },
      ]);
    const f = given(followUpDefinition, 'f1', [created, ...overdue])
      .when((f) => f.reassign(eapFrontOffice, { office: 'EAP/CM' }, 'EAP', late, '2026-12-20'))
      .then([
        { type: 'FollowUpReassigned', data: { owner: { office: 'EAP/CM' }, ownerBureau: 'EAP', by: by(eapFrontOffice), at: late } },
        { type: 'FollowUpEscalationResolved', data: { by: by(eapFrontOffice), at: late } },
      ]);
    expect(f.escalatedTo).toBeNull();
    expect(f.overdueSince).toBeNull();
  });

  it('may be changed by its owner and its creator only', () => {
    const f = given(followUpDefinition, 'f1', [created]).when(() => undefined).then([]);
    expect(f.mayChange(beijing)).toBe(true);
    expect(f.mayChange(drafter)).toBe(true);
    expect(f.mayChange(other)).toBe(false);
    expect(f.mayChange({ ...beijing, id: 'p2', postCode: 'TOKYO' })).toBe(false);
  });

  it('goes from open to in progress to done, or is cancelled, and then stays', () => {
    const started: FollowUpEvent = { type: 'FollowUpStarted', data: { by: by(beijing), at } };
    given(followUpDefinition, 'f1', [created]).when((f) => f.start(beijing, at)).then([started]);
    given(followUpDefinition, 'f1', [created, started]).when((f) => f.complete(beijing, 'Met the DG again', at)).then([{ type: 'FollowUpCompleted', data: { outcome: 'Met the DG again', by: by(beijing), at } }]);
    given(followUpDefinition, 'f1', [created, started]).when((f) => f.start(beijing, at)).thenFails('INVALID_TRANSITION');
    const done: FollowUpEvent = { type: 'FollowUpCompleted', data: { outcome: 'ok', by: by(beijing), at } };
    given(followUpDefinition, 'f1', [created, done]).when((f) => f.cancel(beijing, 'no', at)).thenFails('INVALID_TRANSITION', /DONE/);
    given(followUpDefinition, 'f1', [created]).when((f) => f.complete(beijing, ' ', at)).thenFails('RULE_VIOLATED', /what came of it/);
  });

  it('becomes overdue past its due date, escalates to the owner’s bureau, once; a new date lets it fall due again', () => {
    const late = '2026-12-11T00:00:00.000Z';
    const overdue: FollowUpEvent[] = [
      { type: 'FollowUpBecameOverdue', data: { dueOn: '2026-12-10', at: late } },
      { type: 'FollowUpEscalated', data: { to: 'EAP', at: late } },
    ];
    given(followUpDefinition, 'f1', [created]).when((f) => f.markOverdue('2026-12-10T23:00:00.000Z')).then([]);
    given(followUpDefinition, 'f1', [created]).when((f) => f.markOverdue(late)).then(overdue);
    given(followUpDefinition, 'f1', [created, ...overdue]).when((f) => f.markOverdue(late)).then([]);
    const moved: FollowUpEvent = { type: 'FollowUpDueDateChanged', data: { dueOn: '2026-12-20', previous: '2026-12-10', by: by(drafter), at } };
    const f = given(followUpDefinition, 'f1', [created, ...overdue, moved]).when(() => undefined).then([]);
    expect(f.overdueSince).toBeNull();
  });

  it('has its marking raised, never lowered, and only when the new one is higher', () => {
    const raised: FollowUpEvent = { type: 'FollowUpClassificationRaised', data: { classification: 'SECRET', previous: 'UNCLASSIFIED', by: by(drafter), at } };
    given(followUpDefinition, 'f1', [created]).when((f) => f.raiseClassificationTo('SECRET', drafter, at)).then([raised]);
    given(followUpDefinition, 'f1', [created]).when((f) => f.raiseClassificationTo('UNCLASSIFIED', drafter, at)).then([]);
    given(followUpDefinition, 'f1', [created, raised]).when((f) => f.raiseClassificationTo('CONFIDENTIAL', drafter, at)).then([]);
    given(followUpDefinition, 'f1', [created, raised]).when((f) => f.raiseClassificationTo('TOP_SECRET', drafter, at)).then([
      { type: 'FollowUpClassificationRaised', data: { classification: 'TOP_SECRET', previous: 'SECRET', by: by(drafter), at } },
    ]);
  });

  it('records, for good, that its text was written under a draft: at creation, or after the fact for one created before that was recorded', () => {
    const onDraft = FollowUp.create('f2', { ...created.data, writtenUnderDraft: true }, drafter, at);
    expect(onDraft.getUncommittedEvents()).toEqual([{ ...created, data: { ...created.data, writtenUnderDraft: true } }]);
    expect(onDraft.writtenUnderDraft).toBe(true);
    // Not written under one: the event says nothing of it, as events from before the rule.
    expect(Object.keys(FollowUp.create('f3', { ...created.data, writtenUnderDraft: false }, drafter, at).getUncommittedEvents()[0].data)).not.toContain('writtenUnderDraft');
    const recorded: FollowUpEvent = { type: 'FollowUpWrittenUnderDraft', data: { cableId: 'c1', by: by(drafter), at } };
    const f = given(followUpDefinition, 'f1', [created]).when((followUp) => followUp.markWrittenUnderDraft('c1', drafter, at)).then([recorded]);
    expect(f.writtenUnderDraft).toBe(true);
    given(followUpDefinition, 'f1', [created, recorded]).when((followUp) => followUp.markWrittenUnderDraft('c1', drafter, at)).then([]);
    given(followUpDefinition, 'f1', [{ ...created, data: { ...created.data, writtenUnderDraft: true } }]).when((followUp) => followUp.markWrittenUnderDraft('c1', drafter, at)).then([]);
  });

  it('knows an office’s bureau', () => {
    expect(bureauOfOffice('EAP/CM')).toBe('EAP');
    expect(bureauOfOffice('ISN')).toBe('ISN');
  });
});
