/** A campaign's deliveries counted: the one definition every summary uses. */
export interface DeliverySummary {
  total: number;
  /** Delivered, whether answered yet or not. */
  delivered: number;
  responded: number;
  notDelivered: number;
  pending: number;
  overdue: number;
}

export function emptySummary(): DeliverySummary {
  return { total: 0, delivered: 0, responded: 0, notDelivered: 0, pending: 0, overdue: 0 };
}

/** How many of a campaign's deliveries are in one bureau, status and position, as the projection keeps them. */
export type DeliveryCount = [bureau: string, status: string, position: string | null, count: number];

/** Adds `count` deliveries in `status` (overdue or not) to the summary. */
export function countInto(summary: DeliverySummary, status: string, overdue: boolean, count = 1): DeliverySummary {
  summary.total += count;
  if (status === 'DELIVERED' || status === 'RESPONDED') summary.delivered += count;
  if (status === 'RESPONDED') summary.responded += count;
  if (status === 'NOT_DELIVERED') summary.notDelivered += count;
  if (status === 'PENDING') summary.pending += count;
  if (overdue) summary.overdue += count;
  return summary;
}

/** A post still owes its report: it has neither logged a response nor said why it could not deliver. */
export function isUnanswered(status: string): boolean {
  return status === 'PENDING' || status === 'DELIVERED';
}

/** Overdue: unanswered after the campaign's report-by date. */
export function isOverdue(status: string, reportBy: string, today: string): boolean {
  return isUnanswered(status) && reportBy < today;
}

/** A campaign's summary from its counts (`demarche_campaigns.counts`), overdue as of `today`. */
export function summarizeCounts(counts: readonly DeliveryCount[], reportBy: string, today: string): DeliverySummary {
  const summary = emptySummary();
  for (const [, status, , count] of counts) countInto(summary, status, isOverdue(status, reportBy, today), count);
  return summary;
}
