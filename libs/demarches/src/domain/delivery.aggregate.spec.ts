import { given } from '../../../../test/support/aggregate-spec.js';
import { Campaign, scopedPosts } from './campaign.aggregate.js';
import {
  blankDelivery, currentResponse, type Delivered, deliveryDefinition, type DeliveryEvent, deliveryId, evolveDelivery, positionChanged, type Response, responseLoggedV1Upcaster,
} from './delivery.aggregate.js';

const today = '2026-11-29';
/** The campaign opened (the post was tasked) on this day. */
const taskedOn = '2026-11-20';
const at = '2026-11-29T10:00:00.000Z';
const details: Delivered = { deliveredOn: '2026-11-28', counterpart: { name: 'Li Wei', title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
const baseless = { text: '这些指控毫无根据。', language: 'zh', translation: 'These allegations are baseless.' };
const response: Response = { receivedOn: '2026-11-29', position: 'REJECTED', summary: 'Baseless.', quotes: [baseless], reportingCableId: null };
const deliveredEvent: DeliveryEvent = { type: 'DemarcheDelivered', data: { ...details, by: 'u1', at } };
const responded = (number: number, position: Response['position'], receivedOn = '2026-11-29', corrects: number | null = null): DeliveryEvent => ({
  type: 'ResponseLogged',
  data: { number, receivedOn, position, summary: 'Baseless.', quotes: [baseless], reportingCableId: null, corrects, by: 'u1', at },
});
const notDeliveredEvent: DeliveryEvent = { type: 'DemarcheNotDelivered', data: { reason: 'No appointment granted', by: 'u1', at } };
const id = deliveryId('c1', 'BEIJING');

describe('Delivery', () => {
  it('is delivered, then answered, numbered responses with quotes in their language and translated', () => {
    given(deliveryDefinition, id, []).when((d) => d.deliver(details, 'u1', { today, taskedOn }, at)).then([deliveredEvent]);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse(response, 'u1', today, at)).then([responded(1, 'REJECTED')]);
  });

  it('takes further meetings as contacts, and answers again: the position is the latest one said', () => {
    const contact = { on: '2026-11-29', counterpart: { name: 'Hua Chunying', title: 'Spokesperson', organization: 'MFA' }, level: 'DIRECTOR_GENERAL' as const, method: 'PHONE' as const };
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.recordContact(contact, 'u1', { today, taskedOn }, at)).then([{ type: 'ContactRecorded', data: { ...contact, by: 'u1', at } }]);
    const history = [deliveredEvent, responded(1, 'NONCOMMITTAL', '2026-11-28')];
    const d = given(deliveryDefinition, id, history).when((d) => d.logResponse(response, 'u1', today, at)).then([responded(2, 'REJECTED')]);
    expect(d.status).toBe('RESPONDED');
    expect(currentResponse(d.state)?.position).toBe('REJECTED');
    expect(positionChanged(d.state)).toBe(true);
  });

  it('the latest by date said, not by order logged: an older statement logged late does not move the position', () => {
    let state = blankDelivery();
    for (const e of [deliveredEvent, responded(1, 'OPPOSED', '2026-11-29'), responded(2, 'RECEPTIVE', '2026-11-28')]) state = evolveDelivery(state, e);
    expect(currentResponse(state)?.number).toBe(1);
    expect(currentResponse(state)?.position).toBe('OPPOSED');
    expect(positionChanged(state)).toBe(true);
  });

  it('corrects a response with a new one that names it; the corrected one stays, no longer counted', () => {
    const history = [deliveredEvent, responded(1, 'SUPPORTIVE')];
    const d = given(deliveryDefinition, id, history)
      .when((d) => d.logResponse({ ...response, corrects: 1 }, 'u1', today, at))
      .then([responded(2, 'REJECTED', '2026-11-29', 1)]);
    expect(d.state.responses.map((r) => [r.number, r.correctedBy])).toEqual([[1, 2], [2, null]]);
    expect(positionChanged(d.state)).toBe(false);
    given(deliveryDefinition, id, [...history, responded(2, 'REJECTED', '2026-11-29', 1)]).when((d) => d.logResponse({ ...response, corrects: 1 }, 'u1', today, at)).thenFails('RULE_VIOLATED', /already corrected/);
    given(deliveryDefinition, id, history).when((d) => d.logResponse({ ...response, corrects: 7 }, 'u1', today, at)).thenFails('RULE_VIOLATED', /no response 7/);
  });

  it('refuses a response before the delivery, dated before it or in the future, unsummarised, or a quote without words', () => {
    given(deliveryDefinition, id, []).when((d) => d.logResponse(response, 'u1', today, at)).thenFails('INVALID_TRANSITION', /delivery before the response/);
    given(deliveryDefinition, id, [notDeliveredEvent]).when((d) => d.logResponse(response, 'u1', today, at)).thenFails('INVALID_TRANSITION');
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, receivedOn: '2026-11-27' }, 'u1', today, at)).thenFails('RULE_VIOLATED', /before the delivery/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, receivedOn: '2026-12-01' }, 'u1', today, at)).thenFails('RULE_VIOLATED', /future/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, summary: ' ' }, 'u1', today, at)).thenFails('RULE_VIOLATED', /summarize/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, quotes: [{ text: ' ' }] }, 'u1', today, at)).thenFails('RULE_VIOLATED', /words/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, quotes: [{ text: 'x', language: 'Chinese!' }] }, 'u1', today, at)).thenFails('RULE_VIOLATED', /BCP 47/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, quotes: [{ text: 'x', language: 'Chinese' }] }, 'u1', today, at)).thenFails('RULE_VIOLATED', /BCP 47/);
  });

  it('takes a quote\'s language in any case, as BCP 47 compares tags, and keeps it in its canonical form', () => {
    for (const [given_, kept] of [['EN', 'en'], ['zh-hans', 'zh-Hans'], ['ZH-HANT-TW', 'zh-Hant-TW'], ['fr', 'fr']]) {
      const delivery = deliveryDefinition.blank(id);
      delivery.replay([deliveredEvent], 1);
      delivery.logResponse({ ...response, quotes: [{ text: 'x', language: given_ }] }, 'u1', today, at);
      expect((delivery.getUncommittedEvents()[0].data as { quotes: { language: string }[] }).quotes[0].language).toBe(kept);
    }
  });

  it('is recorded as not delivered only while pending, with a reason, and may be delivered later', () => {
    given(deliveryDefinition, id, []).when((d) => d.notDelivered('No appointment granted', 'u1', at)).then([notDeliveredEvent]);
    given(deliveryDefinition, id, []).when((d) => d.notDelivered('  ', 'u1', at)).thenFails('RULE_VIOLATED');
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.notDelivered('Changed our mind', 'u1', at)).thenFails('INVALID_TRANSITION');
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.deliver(details, 'u1', { today, taskedOn }, at)).thenFails('INVALID_TRANSITION', /contact/);
    const later = given(deliveryDefinition, id, [notDeliveredEvent]).when((d) => d.deliver(details, 'u1', { today, taskedOn }, at)).then([deliveredEvent]);
    expect(later.state).toMatchObject({ status: 'DELIVERED', notDeliveredReason: null });
  });

  it('wants a named counterpart and a delivery date that has come; a contact only once delivered', () => {
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, counterpart: { ...details.counterpart, name: '' } }, 'u1', { today, taskedOn }, at)).thenFails('RULE_VIOLATED', /counterpart/);
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, deliveredOn: '2026-12-01' }, 'u1', { today, taskedOn }, at)).thenFails('RULE_VIOLATED', /future/);
    // Nor before the post was tasked: on the day the campaign opened, and not the day before.
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, deliveredOn: taskedOn }, 'u1', { today, taskedOn }, at)).then([{ type: 'DemarcheDelivered', data: { ...details, deliveredOn: taskedOn, by: 'u1', at } }]);
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, deliveredOn: '2026-11-19' }, 'u1', { today, taskedOn }, at)).thenFails('RULE_VIOLATED', /deliveredOn cannot be before the post was tasked \(2026-11-20\)/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.recordContact({ ...details, on: '1900-01-01' }, 'u1', { today, taskedOn }, at)).thenFails('RULE_VIOLATED', /on cannot be before the post was tasked/);
    // Another meeting follows the delivery: not the day before it, the same day or later.
    const dayBefore = new Date(Date.parse(`${(deliveredEvent.data as { deliveredOn: string }).deliveredOn}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.recordContact({ ...details, on: dayBefore }, 'u1', { today, taskedOn: '1900-01-01' }, at)).thenFails('RULE_VIOLATED', /another meeting cannot come before the delivery/);
    given(deliveryDefinition, id, []).when((d) => d.recordContact({ ...details, on: '2026-11-28' }, 'u1', { today, taskedOn }, at)).thenFails('INVALID_TRANSITION');
  });

  it('refuses a delivery, contact or response dated on a day the calendar does not have', () => {
    // Each date passes "YYYY-MM-DD", comes after the delivery and before today: only the calendar refuses it.
    const later = '2026-12-05';
    const contact = { on: '2026-11-31', counterpart: details.counterpart, level: 'DIRECTOR_GENERAL' as const, method: 'PHONE' as const };
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, deliveredOn: '2026-11-31' }, 'u1', { today: later, taskedOn }, at)).thenFails('RULE_VIOLATED', /deliveredOn: 2026-11-31 is no day of the calendar/);
    given(deliveryDefinition, id, [notDeliveredEvent]).when((d) => d.deliver({ ...details, deliveredOn: '2026-02-30' }, 'u1', { today: later, taskedOn }, at)).thenFails('RULE_VIOLATED', /deliveredOn: 2026-02-30 is no day of the calendar/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.recordContact(contact, 'u1', { today: later, taskedOn }, at)).thenFails('RULE_VIOLATED', /on: \S+ is no day of the calendar/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, receivedOn: '2026-11-31' }, 'u1', later, at)).thenFails('RULE_VIOLATED', /receivedOn: 2026-11-31 is no day of the calendar/);
    given(deliveryDefinition, id, [deliveredEvent, responded(1, 'NONCOMMITTAL')])
      .when((d) => d.logResponse({ ...response, receivedOn: '2026-11-31', corrects: 1 }, 'u1', later, at))
      .thenFails('RULE_VIOLATED', /receivedOn: 2026-11-31 is no day of the calendar/);
  });

  it('attaches a reporting cable to a response once, after it', () => {
    const history = [deliveredEvent, responded(1, 'REJECTED')];
    const d = given(deliveryDefinition, id, history).when((d) => d.attachReportingCable(1, 'k2', 'u1', at)).then([{ type: 'ReportingCableAttached', data: { response: 1, reportingCableId: 'k2', by: 'u1', at } }]);
    expect(d.state.responses[0].reportingCableId).toBe('k2');
    given(deliveryDefinition, id, history).when((d) => d.attachReportingCable(2, 'k2', 'u1', at)).thenFails('NOT_FOUND');
    given(deliveryDefinition, id, [...history, { type: 'ReportingCableAttached', data: { response: 1, reportingCableId: 'k2', by: 'u1', at } }]).when((d) => d.attachReportingCable(1, 'k3', 'u1', at)).thenFails('RULE_VIOLATED', /already/);
    // Corrected, a response no longer counts: the cable is named on its correction.
    const corrected = [...history, responded(2, 'OPPOSED', '2026-11-29', 1)];
    given(deliveryDefinition, id, corrected).when((d) => d.attachReportingCable(1, 'k2', 'u1', at)).thenFails('RULE_VIOLATED', /response 1 was corrected by response 2: name the reporting cable on that one/);
    given(deliveryDefinition, id, corrected).when((d) => d.attachReportingCable(2, 'k2', 'u1', at)).then([{ type: 'ReportingCableAttached', data: { response: 2, reportingCableId: 'k2', by: 'u1', at } }]);
  });

  it('keeps documents left behind, whatever its state, with their digest', () => {
    const doc = { documentId: 'd1', name: 'non-paper.pdf', kind: 'NON_PAPER' as const, mediaType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) };
    const d = given(deliveryDefinition, id, []).when((d) => d.attachDocument(doc, 'u1', at)).then([{ type: 'DocumentAttached', data: { ...doc, by: 'u1', at } }]);
    expect(d.state.documents).toHaveLength(1);
    given(deliveryDefinition, id, []).when((d) => d.attachDocument({ ...doc, sha256: 'x' }, 'u1', at)).thenFails('RULE_VIOLATED');
    // Its name is held as names are: something shown before the extension, no control, no reordering, valid UTF-8.
    for (const [name, reason] of [
      ['.txt', /something shown before its extension/], ['\u200B.txt', /something shown before its extension/], ['', /something shown/],
      ['invoice\u202Efdp.txt', /bidirectional control/], ['a\u2066b.pdf', /bidirectional control/], ['a\nb.txt', /control character/], ['a\u0085b.txt', /control character/], ['a\u2028b.txt', /line break/], ['a\u2029b.txt', /line break/],
      ['\uFFFD\uFFFD.txt', /not valid UTF-8/],
    ] as const) {
      given(deliveryDefinition, id, []).when((d) => d.attachDocument({ ...doc, name }, 'u1', at)).thenFails('RULE_VIOLATED', reason);
    }
    for (const name of ['照会.pdf', 'نص المذكرة.pdf', 'README', 'note.v2.txt', 'a\u200Fb.txt']) given(deliveryDefinition, id, []).when((d) => d.attachDocument({ ...doc, name }, 'u1', at)).then([{ type: 'DocumentAttached', data: { ...doc, name, by: 'u1', at } }]);
  });

  it('reads a response stored at schema version 1 as the only response, its quotes untranslated', () => {
    const v1 = { receivedOn: '2026-11-29', position: 'REJECTED', summary: 'Baseless.', quotes: ['Baseless.'], reportingCableId: null, by: 'u1' };
    expect(responseLoggedV1Upcaster.upcast(v1).data).toEqual({ ...v1, number: 1, quotes: [{ text: 'Baseless.' }], corrects: null, at: null });
  });
});

describe('Campaign', () => {
  it('opens with one delivery per distinct action post', () => {
    const campaign = Campaign.open(
      { cableId: 'c1', mrn: '26 STATE 000001', subject: 'S', classification: 'CONFIDENTIAL', captions: [], reportBy: '2026-12-15', targets: 'MFA', posts: ['TOKYO', 'BEIJING', 'TOKYO'], workingParty: ['d1'] },
      '2026-11-29T00:00:00Z',
    );
    expect(campaign.id).toBe('c1');
    expect(campaign.facts.posts).toEqual(['BEIJING', 'TOKYO']);
    expect(() => Campaign.open({ ...campaign.facts, posts: [] }, '2026-11-29T00:00:00Z')).toThrow(/at least one action post/);
  });
});

describe('scopedPosts', () => {
  const posts = [
    { code: 'BEIJING', kind: 'EMBASSY' },
    { code: 'SHANGHAI', kind: 'CONSULATE_GENERAL' },
    { code: 'USUNNEWYORK', kind: 'MISSION' },
    { code: 'TOKYO', kind: 'EMBASSY' },
  ];
  it('tasks every addressed post without a scope, and narrows by kind, named posts and exclusions', () => {
    expect(scopedPosts(posts, null)).toEqual(['BEIJING', 'SHANGHAI', 'USUNNEWYORK', 'TOKYO']);
    expect(scopedPosts(posts, { kinds: ['EMBASSY'] })).toEqual(['BEIJING', 'TOKYO']);
    expect(scopedPosts(posts, { kinds: ['EMBASSY'], excludePosts: ['TOKYO'] })).toEqual(['BEIJING']);
    expect(scopedPosts(posts, { posts: ['SHANGHAI', 'LONDON'] })).toEqual(['SHANGHAI']);
    expect(scopedPosts(posts, { excludePosts: ['BEIJING'] })).toEqual(['SHANGHAI', 'USUNNEWYORK', 'TOKYO']);
  });
});
