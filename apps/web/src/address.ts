/** The hash route the address holds: its path (`/` when bare) and its query (`#/follow-ups/new?post=BEIJING`). */
export function hashAddress(): { path: string; query: URLSearchParams } {
  const [path, query = ''] = (location.hash.slice(1) || '/').split('?');
  return { path: path || '/', query: new URLSearchParams(query) };
}
