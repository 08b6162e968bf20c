import { isRelevant, type LiveNotice } from './live.js';

const notice = (type: LiveNotice['record']['type'], id: string): LiveNotice => ({ eventType: 'X', streamType: type, id, version: 2, record: { type, id } });

describe('which screens a live notice is about', () => {
  it('takes a campaign page and its posts\' deliveries to be about that campaign and its tasking cable', () => {
    const campaign = '6c26b089-1111-4000-8000-000000000001';
    for (const path of [`/campaigns/${campaign}`, `/campaigns/${campaign}?post=TOKYO`, `/campaigns/${campaign}/posts/TOKYO`]) {
      expect(isRelevant(path, notice('campaign', campaign))).toBe(true);
      expect(isRelevant(path, notice('cable', campaign))).toBe(true);
      expect(isRelevant(path, notice('campaign', '6c26b089-2222-4000-8000-000000000002'))).toBe(false);
      expect(isRelevant(path, notice('followup', campaign))).toBe(false);
    }
  });

  it('takes a record\'s page to be about that record only', () => {
    expect(isRelevant('/cables/c1', notice('cable', 'c1'))).toBe(true);
    expect(isRelevant('/cables/c1', notice('cable', 'c2'))).toBe(false);
    expect(isRelevant('/follow-ups/f1', notice('followup', 'f1'))).toBe(true);
    expect(isRelevant('/dashboard', notice('campaign', 'x'))).toBe(true);
  });

  it('takes a tasking cable\'s page to show its campaign, and the taskings the follow-ups a post owns', () => {
    expect(isRelevant('/cables/c1', notice('campaign', 'c1'))).toBe(true);
    expect(isRelevant('/cables/c1', notice('campaign', 'c2'))).toBe(false);
    expect(isRelevant('/taskings', notice('followup', 'f1'))).toBe(true);
    expect(isRelevant('/taskings', notice('notifications', 'n1'))).toBe(false);
  });
});
