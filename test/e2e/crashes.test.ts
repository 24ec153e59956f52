// The compact form of `npm run bench -- crashes`: the handshake with a host killed at a few
// activity boundaries (LOCAL_HOST_CRASH_AT) and restarted on the same storage ends as a clean run
// does — same statuses, same Graph/Teams writes (none repeated, none missing), same tenants, the
// same things recorded as owned. The benchmark runs every boundary of both sides.
import { boundariesOf, compareRuns, describeBoundary, runHandshake, type CrashBoundary, type HandshakeRun } from '../support/crashes';

jest.setTimeout(600_000);

/** After the Teams write (the step runs again), after a message went out (it is delivered again). */
const BOUNDARIES: CrashBoundary[] = [
  { side: 'Contoso', activity: 'configureTenant', phase: 'after', occurrence: 2 },
  { side: 'China', activity: 'sendMessage', phase: 'after', occurrence: 1 },
];

describe('crash at an activity boundary', () => {
  let clean: HandshakeRun;

  beforeAll(async () => {
    clean = await runHandshake();
  }, 300_000);

  it('the clean run is the reference: both Active, each boundary chosen here is one it passes', () => {
    expect(clean.statuses).toEqual({ Contoso: 'Active', China: 'Active' });
    const boundaries = boundariesOf(clean).map(describeBoundary);
    for (const boundary of BOUNDARIES) expect(boundaries).toContain(describeBoundary(boundary));
  });

  it.each(BOUNDARIES.map((boundary) => [describeBoundary(boundary), boundary] as const))('%s: crashed, restarted, same end and same writes', async (_name, boundary) => {
    const run = await runHandshake({ crash: boundary });
    expect(run.crashed).toBe(true);
    expect(compareRuns(clean, run)).toEqual({ completed: true, duplicateWrites: 0, orphanWrites: 0, lost: 0, notes: [] });
  });
});
