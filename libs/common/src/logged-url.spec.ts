import { loggedUrl } from './logged-url.js';

describe('loggedUrl', () => {
  it('replaces the live feed ticket however its key is written, and nothing else', () => {
    expect(loggedUrl('/events/stream?ticket=abc_DEF-123')).toBe('/events/stream?ticket=[Redacted]');
    expect(loggedUrl('/events/stream?x=1&ticket=abc&y=2')).toBe('/events/stream?x=1&ticket=[Redacted]&y=2');
    expect(loggedUrl('/events/stream?%74icket=abc')).toBe('/events/stream?%74icket=[Redacted]');
    expect(loggedUrl('/events/stream?TICKET=abc&%54%69cket=def')).toBe('/events/stream?TICKET=[Redacted]&%54%69cket=[Redacted]');
    expect(loggedUrl('/events/stream?ticket')).toBe('/events/stream?ticket=[Redacted]');
    expect(loggedUrl('/cables?x=ticket')).toBe('/cables?x=ticket');
    // A bearer token or a password sent in the address by a client that should not have.
    expect(loggedUrl('/auth/me?access_token=eyJhbGciOi.x.y')).toBe('/auth/me?access_token=[Redacted]');
    expect(loggedUrl('/auth/me?ACCESS_TOKEN=a&Token=b&password=c')).toBe('/auth/me?ACCESS_TOKEN=[Redacted]&Token=[Redacted]&password=[Redacted]');
    expect(loggedUrl('/cables?x=%E0%A4%A')).toBe('/cables?x=%E0%A4%A');
    expect(loggedUrl('/cables')).toBe('/cables');
  });

  it('keeps no search words (they may quote classified text), and the rest of the address', () => {
    expect(loggedUrl('/cables?q=export%20controls%20breach&status=RELEASED')).toBe('/cables?q=[Redacted]&status=RELEASED');
    expect(loggedUrl('/cables?Q=breach')).toBe('/cables?Q=[Redacted]');
  });
});
