export type Role = 'drafter' | 'clearer' | 'approver' | 'post_officer' | 'leadership' | 'auditor' | 'admin';
export const ROLES: readonly Role[] = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'];

/** What must never reach a client: stack frames, SQL, driver and ORM names, file paths. */
const LEAKS = [/\n\s+at .+\(.+:\d+:\d+\)/, /\bat .+\.(js|ts):\d+/, /QueryFailedError|TypeORMError|node_modules|\/work\/|\/src\//, /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b.+\b(FROM|VALUES|SET|WHERE)\b/, /duplicate key value|violates .* constraint|syntax error at or near/];

/** The first leak an error body shows, or null. */
export function looksLeaky(body: string): string | null {
  for (const pattern of LEAKS) {
    const match = pattern.exec(body);
    if (match) return match[0];
  }
  return null;
}
