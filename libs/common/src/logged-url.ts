/**
 * Query parameters whose values a log does not keep: credentials (the live feed's one-use `ticket`;
 * a bearer token sent as RFC 6750's `access_token`, which no route takes but a client may send;
 * `token` and `password`, as mistaken clients send them), and a search's words (`q`), which may
 * quote classified text.
 */
const WITHHELD_PARAMETERS = new Set(['ticket', 'access_token', 'token', 'password', 'q']);

/**
 * A request's address as a log keeps it: the value of a credential or of a search in its query replaced. A key is
 * recognised as the server's query parser reads it (percent-decoded, `+` a space, any case), so
 * `?%74icket=…` is as hidden as `?ticket=…`.
 */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((part) => {
      const key = part.includes('=') ? part.slice(0, part.indexOf('=')) : part;
      return WITHHELD_PARAMETERS.has(decodedKey(key).toLowerCase()) ? `${key}=[Redacted]` : part;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/**
 * A key as the query parser reads it. One it cannot decode keeps a `%` in the parser's reading too,
 * so it is never a credential's name.
 */
function decodedKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
