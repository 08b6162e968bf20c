/** The leadership dashboard, composed from facts that either the read tables or a replay provide. */
import { countInto, type DeliverySummary, emptySummary } from '@chancery/demarches';

export interface CampaignFacts {
  id: string;
  mrn: string;
  subject: string;
  classification: string;
  reportBy: string;
}

/** How many of a campaign's deliveries are in one bureau, status, position and overdue state. */
export interface DeliveryGroup {
  campaignId: string;
  bureau: string;
  status: string;
  position: string | null;
  overdue: boolean;
  count: number;
}

export interface FollowUpGroup {
  owner: string;
  bureau: string;
  status: string;
  overdue: boolean;
  count: number;
}

const add = (summary: DeliverySummary, group: DeliveryGroup) => countInto(summary, group.status, group.overdue, group.count);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export const POSITION_ORDER = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'OPPOSED', 'REJECTED'] as const;

export function composeDashboard(
  asOf: string,
  campaigns: CampaignFacts[],
  deliveries: DeliveryGroup[],
  overduePosts: { campaignId: string; post: string }[],
  followUps: FollowUpGroup[],
) {
  const byCampaign = groupBy(deliveries, (group) => group.campaignId);
  const overdueByCampaign = groupBy(overduePosts, (overdue) => overdue.campaignId);

  const positions = (): Record<string, number> => ({ SUPPORTIVE: 0, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 0 });
  const campaignViews = campaigns.map((campaign) => {
    const groups = byCampaign.get(campaign.id) ?? [];
    const summary = emptySummary();
    const positionCounts = positions();
    const bureaus = new Map<string, DeliverySummary & { positions: Record<string, number> }>();
    for (const group of groups) {
      add(summary, group);
      let bureau = bureaus.get(group.bureau);
      if (!bureau) bureaus.set(group.bureau, (bureau = Object.assign(emptySummary(), { positions: positions() })));
      add(bureau, group);
      if (group.position) {
        positionCounts[group.position] += group.count;
        bureau.positions[group.position] += group.count;
      }
    }
    return {
      ...campaign,
      summary,
      positions: positionCounts,
      byBureau: [...bureaus.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([bureau, counts]) => ({ bureau, ...counts })),
      overduePosts: (overdueByCampaign.get(campaign.id) ?? []).map((overdue) => overdue.post).sort(),
    };
  });

  const tally = (key: (g: FollowUpGroup) => string) => {
    const rows = new Map<string, { open: number; overdue: number; done: number; cancelled: number }>();
    for (const group of followUps) {
      const row = rows.get(key(group)) ?? { open: 0, overdue: 0, done: 0, cancelled: 0 };
      if (group.status === 'OPEN' || group.status === 'IN_PROGRESS') row.open += group.count;
      if (group.overdue) row.overdue += group.count;
      if (group.status === 'DONE') row.done += group.count;
      if (group.status === 'CANCELLED') row.cancelled += group.count;
      rows.set(key(group), row);
    }
    return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
  };

  return {
    asOf,
    campaigns: campaignViews,
    followUps: {
      byOwner: tally((g) => g.owner).map(([owner, counts]) => ({ owner, ...counts })),
      byBureau: tally((g) => g.bureau).map(([bureau, counts]) => ({ bureau, ...counts })),
    },
  };
}

export type Dashboard = ReturnType<typeof composeDashboard>;
