/**
 * Text an address names but does not hold (a search's words, a follow-up's title offered by the page
 * it came from): kept in this tab's memory only, by user and by a name drawn afresh each time
 * (`words=3f9a02c1`). An address goes into the browser's history on disk, and such text may quote
 * classified facts (a post's response, a cable's subject); the logs keep none either. A reload
 * forgets it; no other user signed in in the tab reaches it.
 */
const kept = new Map<string, string>();
const keyOf = (userId: string, name: string) => `${userId}:${name}`;

/** Keeps `text` for `userId`, under a name of its own, never reused after a reload: answers the name, for an address. */
export function keepText(userId: string, text: string): string {
  // (getRandomValues, not randomUUID: the app may be served over plain HTTP, where only the former exists.)
  const name = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  kept.set(keyOf(userId, name), text);
  return name;
}

/** The text kept for `userId` under `name`; undefined when there is none (a reload, a link from elsewhere, no name). */
export const keptText = (userId: string, name: string | null): string | undefined => (name === null ? undefined : kept.get(keyOf(userId, name)));
