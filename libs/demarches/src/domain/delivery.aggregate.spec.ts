import { given } from '../../../../test/support/aggregate-spec.js';
import { Campaign } from './campaign.aggregate.js';
import { type Delivered, deliveryDefinition, type DeliveryEvent, deliveryId } from './delivery.aggregate.js';

const today = '2026-11-29';
const details: Delivered = { deliveredOn: '2026-11-28', counterpart: { name: 'Li Wei', title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
const response = { receivedOn: '2026-11-29', position: 'REJECTED' as const, summary: 'Baseless.', quotes: ['The allegations are baseless.'], reportingCableId: null };
const deliveredEvent: DeliveryEvent = { type: 'DemarcheDelivered', data: { ...details, by: 'u1' } };
const id = deliveryId('c1', 'BEIJING');

describe('Delivery', () => {
  it('is delivered, then answered', () => {
    given(deliveryDefinition, id, []).when((d) => d.deliver(details, 'u1', today)).then([deliveredEvent]);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse(response, 'u1', today)).then([{ type: 'ResponseLogged', data: { ...response, by: 'u1' } }]);
  });

  it('refuses a response before the delivery, or dated before it or in the future', () => {
    given(deliveryDefinition, id, []).when((d) => d.logResponse(response, 'u1', today)).thenFails('INVALID_TRANSITION', /delivery before the response/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, receivedOn: '2026-11-27' }, 'u1', today)).thenFails('RULE_VIOLATED', /before the delivery/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, receivedOn: '2026-12-01' }, 'u1', today)).thenFails('RULE_VIOLATED', /future/);
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.logResponse({ ...response, summary: ' ' }, 'u1', today)).thenFails('RULE_VIOLATED', /summarize/);
  });

  it('is recorded as not delivered only while pending, with a reason', () => {
    given(deliveryDefinition, id, []).when((d) => d.notDelivered('No appointment granted', 'u1')).then([{ type: 'DemarcheNotDelivered', data: { reason: 'No appointment granted', by: 'u1' } }]);
    given(deliveryDefinition, id, []).when((d) => d.notDelivered('  ', 'u1')).thenFails('RULE_VIOLATED');
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.notDelivered('Changed our mind', 'u1')).thenFails('INVALID_TRANSITION');
    given(deliveryDefinition, id, [deliveredEvent]).when((d) => d.deliver(details, 'u1', today)).thenFails('INVALID_TRANSITION');
  });

  it('wants a named counterpart and a delivery date that has come', () => {
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, counterpart: { ...details.counterpart, name: '' } }, 'u1', today)).thenFails('RULE_VIOLATED', /counterpart/);
    given(deliveryDefinition, id, []).when((d) => d.deliver({ ...details, deliveredOn: '2026-12-01' }, 'u1', today)).thenFails('RULE_VIOLATED', /future/);
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
