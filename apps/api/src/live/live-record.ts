/** How the web app routes to what changed. */
export interface LiveRecord {
  type: 'cable' | 'campaign' | 'followup' | 'notifications';
  id: string;
}

export interface LocatedRecord {
  /** The record the read policy decides on: a campaign and its deliveries are read under their cable. */
  policy: { type: 'cable' | 'followup' | 'user'; id: string };
  route: LiveRecord;
  /** A stream only its owner hears of (their notifications' reading). */
  own?: string;
}

/**
 * Which record a stream belongs to, for the read policy and the web app: `cable-<id>`,
 * `campaign-<cable id>`, `delivery-<campaign id>:<POST>`, `followup-<id>`, `notifications-<user id>`.
 * Other streams (users, posts, offices) are not told: their screens are not live.
 */
export function liveRecordOf(streamId: string, streamType: string): LocatedRecord | null {
  const id = streamId.slice(streamType.length + 1);
  switch (streamType) {
    case 'cable':
      return { policy: { type: 'cable', id }, route: { type: 'cable', id } };
    case 'campaign':
      return { policy: { type: 'cable', id }, route: { type: 'campaign', id } };
    case 'delivery': {
      const campaign = id.split(':')[0];
      return { policy: { type: 'cable', id: campaign }, route: { type: 'campaign', id: campaign } };
    }
    case 'followup':
      return { policy: { type: 'followup', id }, route: { type: 'followup', id } };
    case 'notifications':
      return { policy: { type: 'user', id }, route: { type: 'notifications', id }, own: id };
    default:
      return null;
  }
}
