import { liveRecordOf } from './live-record.js';

const id = '5f0c5a3e-0000-4000-8000-000000000001';

describe('which record a stream belongs to, for the read policy and the web app', () => {
  it('reads a campaign and its deliveries under their cable, and routes them to the campaign', () => {
    expect(liveRecordOf(`cable-${id}`, 'cable')).toEqual({ policy: { type: 'cable', id }, route: { type: 'cable', id } });
    expect(liveRecordOf(`campaign-${id}`, 'campaign')).toEqual({ policy: { type: 'cable', id }, route: { type: 'campaign', id } });
    expect(liveRecordOf(`delivery-${id}:BEIJING`, 'delivery')).toEqual({ policy: { type: 'cable', id }, route: { type: 'campaign', id } });
    expect(liveRecordOf(`followup-${id}`, 'followup')).toEqual({ policy: { type: 'followup', id }, route: { type: 'followup', id } });
  });

  it('tells a person only of their own notifications, and nobody of users, posts or offices', () => {
    expect(liveRecordOf(`notifications-${id}`, 'notifications')).toMatchObject({ own: id });
    for (const [stream, type] of [[`user-${id}`, 'user'], ['post-BEIJING', 'post'], ['offices-department', 'offices']]) expect(liveRecordOf(stream, type)).toBeNull();
  });
});
