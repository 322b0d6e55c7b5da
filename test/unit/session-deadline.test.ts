import fc from 'fast-check';
import { sessionDeadline, sessionExpiry } from '../../src/domain/sessions/deadline';

const timeouts = {
  secret: 'x'.repeat(32),
  idleTimeoutInMinutes: 30,
  absoluteTimeoutInHours: 12,
  cookieSecure: false,
};
const MIN = 60_000;
const HOUR = 60 * MIN;
const created = Date.UTC(2026, 10, 20, 7, 0);

describe('sessionDeadline', () => {
  it('when the session is left idle early in the shift then it ends 30 minutes after it was last seen, by idle_timeout', () => {
    expect(sessionDeadline({ createdAt: created, lastSeenAt: created + HOUR }, timeouts)).toEqual({
      reason: 'idle_timeout',
      at: created + HOUR + 30 * MIN,
    });
  });

  it('when the person is active until the end of the shift then it ends 12 hours after it opened, by absolute_timeout', () => {
    expect(
      sessionDeadline({ createdAt: created, lastSeenAt: created + 11 * HOUR + 45 * MIN }, timeouts),
    ).toEqual({ reason: 'absolute_timeout', at: created + 12 * HOUR });
  });

  it('when both ends fall at the same instant then absolute_timeout', () => {
    expect(
      sessionDeadline({ createdAt: created, lastSeenAt: created + 11 * HOUR + 30 * MIN }, timeouts)
        .reason,
    ).toBe('absolute_timeout');
  });

  it('when asked exactly at the deadline then the session is still live; a millisecond later it expired', () => {
    const auth = { createdAt: created, lastSeenAt: created + 2 * HOUR };
    const { at } = sessionDeadline(auth, timeouts);
    expect(sessionExpiry(auth, at, timeouts)).toBeNull();
    expect(sessionExpiry(auth, at + 1, timeouts)).toBe('idle_timeout');
  });

  it('for any activity within the shift then the deadline is the earlier of the two ends and never after the absolute end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 * HOUR }), (seenAfter) => {
        const auth = { createdAt: created, lastSeenAt: created + seenAfter };
        const { at } = sessionDeadline(auth, timeouts);
        expect(at).toBe(Math.min(created + 12 * HOUR, created + seenAfter + 30 * MIN));
        expect(at).toBeLessThanOrEqual(created + 12 * HOUR);
      }),
    );
  });
});
