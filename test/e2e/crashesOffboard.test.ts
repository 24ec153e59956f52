// The compact form of `npm run bench -- crashes --scenario offboard`: after the handshake, Contoso's
// admin ends the partnership, and Contoso's host is killed right after the removal ran (its result
// not yet recorded), then restarted on the same storage. The removal runs again and the run ends as
// a clean one does: both Removed, the same Graph/Teams writes (none repeated, none missing), the
// same tenants, and each removal recorded once on each side.
import { boundariesOf, compareRuns, describeBoundary, runHandshake, type CrashBoundary, type HandshakeRun } from '../support/crashes';

jest.setTimeout(600_000);

const BOUNDARY: CrashBoundary = { scenario: 'offboard', side: 'Contoso', activity: 'removePartnershipConfiguration', phase: 'after', occurrence: 1 };

describe('crash at an offboarding activity boundary', () => {
  let clean: HandshakeRun;

  beforeAll(async () => {
    clean = await runHandshake({ scenario: 'offboard' });
  }, 300_000);

  it('the clean run is the reference: both Removed, removals recorded, the boundary is one it passes', () => {
    expect(clean.statuses).toEqual({ Contoso: 'Removed', China: 'Removed' });
    expect(clean.removals.Contoso.length).toBeGreaterThan(0);
    expect(clean.removals.China.length).toBeGreaterThan(0);
    expect(boundariesOf(clean, 'offboard').map(describeBoundary)).toContain(describeBoundary(BOUNDARY));
  });

  it(`${describeBoundary(BOUNDARY)}: crashed, restarted, same end, same writes, each removal recorded once`, async () => {
    const run = await runHandshake({ crash: BOUNDARY });
    expect(run.crashed).toBe(true);
    expect(run.removals).toEqual(clean.removals);
    expect(compareRuns(clean, run)).toEqual({ completed: true, duplicateWrites: 0, orphanWrites: 0, lost: 0, notes: [] });
  });
});
