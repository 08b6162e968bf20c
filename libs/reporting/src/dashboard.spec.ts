import { type CampaignFacts, composeDashboard, type FollowUpGroup } from './dashboard.js';

const campaign = (overrides: Partial<CampaignFacts>): CampaignFacts => ({
  id: 'c1',
  mrn: '26 STATE 000001',
  subject: 'Distillation',
  classification: 'UNCLASSIFIED',
  captions: [],
  reportBy: '2026-12-01',
  counts: [],
  unansweredPosts: [],
  positionsChanged: 0,
  ...overrides,
});

describe('composeDashboard', () => {
  const counts: CampaignFacts['counts'] = [
    ['EAP', 'PENDING', null, 3],
    ['EAP', 'RESPONDED', 'REJECTED', 1],
    ['EUR', 'DELIVERED', null, 2],
    ['EUR', 'RESPONDED', 'SUPPORTIVE', 4],
    ['EUR', 'NOT_DELIVERED', null, 1],
  ];

  it('sums a campaign, its positions and each bureau, overdue only after report-by', () => {
    const [before] = composeDashboard('2026-11-30T12:00:00.000Z', '2026-11-30', [campaign({ counts, unansweredPosts: ['ROME', 'BEIJING'] })], []).campaigns;
    expect(before.summary).toEqual({ total: 11, delivered: 7, responded: 5, notDelivered: 1, pending: 3, overdue: 0 });
    expect(before.positions).toEqual({ SUPPORTIVE: 4, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 1 });
    expect(before.overduePosts).toEqual([]);
    expect(before.deliveryLink).toBe('/demarches/c1/deliveries/{post}');

    const [after] = composeDashboard('2026-12-02T12:00:00.000Z', '2026-12-02', [campaign({ counts, unansweredPosts: ['ROME', 'BEIJING'] })], []).campaigns;
    expect(after.summary.overdue).toBe(5);
    expect(after.overduePosts).toEqual(['BEIJING', 'ROME']);
    expect(after.byBureau).toEqual([
      { bureau: 'EAP', total: 4, delivered: 1, responded: 1, notDelivered: 0, pending: 3, overdue: 3, positions: { SUPPORTIVE: 0, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 1 } },
      { bureau: 'EUR', total: 7, delivered: 6, responded: 4, notDelivered: 1, pending: 0, overdue: 2, positions: { SUPPORTIVE: 4, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 0 } },
    ]);
  });

  it('tallies follow-ups by owner and by bureau', () => {
    const followUps: FollowUpGroup[] = [
      { owner: 'EAP/CM', bureau: 'EAP', status: 'OPEN', overdue: true, count: 2 },
      { owner: 'EAP/CM', bureau: 'EAP', status: 'DONE', overdue: false, count: 1 },
      { owner: 'ROME', bureau: 'EUR', status: 'IN_PROGRESS', overdue: false, count: 1 },
      { owner: 'ROME', bureau: 'EUR', status: 'CANCELLED', overdue: false, count: 1 },
    ];
    const { followUps: tallies } = composeDashboard('2026-12-02T00:00:00.000Z', '2026-12-02', [], followUps);
    expect(tallies.byOwner).toEqual([
      { owner: 'EAP/CM', open: 2, overdue: 2, done: 1, cancelled: 0 },
      { owner: 'ROME', open: 1, overdue: 0, done: 0, cancelled: 1 },
    ]);
    expect(tallies.byBureau.map((b) => b.bureau)).toEqual(['EAP', 'EUR']);
  });
});
