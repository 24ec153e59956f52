// The CLI's progress lines while it waits (pure rendering of two polls of the status API).
import { renderProgress } from '../../shared/cli/output';
import type { PartnershipDetails, PartnershipStep } from '../../shared/client';

const step = (type: string, message: string, status?: PartnershipStep['status']): PartnershipStep => ({
  at: '2026-12-03T05:00:00.000Z',
  type,
  message,
  ...(status ? { status } : {}),
});

function poll(status: PartnershipDetails['status'], steps: PartnershipStep[]): PartnershipDetails {
  return { id: 'p1', role: 'initiator', status, steps } as unknown as PartnershipDetails;
}

const requested = step('partnership.requested', 'Partnership requested.');
const configuring = step('status.changed', 'Configuring the Entra side.', 'ConfiguringLocal');
const awaiting = step('status.changed', 'Invitation signed; waiting for the partner.', 'AwaitingPartner');
const confirmed = step('message.received', 'The partner confirmed.');
const teams = step('status.changed', 'Configuring Teams.', 'ConfiguringTeams');

describe('renderProgress', () => {
  it('shows a status the partnership passed between two polls, before the step that set it', () => {
    const first = poll('ConfiguringLocal', [requested, configuring]);
    const second = poll('ConfiguringTeams', [requested, configuring, awaiting, confirmed, teams]);
    expect(renderProgress(second, first, 1_100)).toEqual([
      '[+  1.1s] AwaitingPartner',
      '[+  1.1s]   status.changed: Invitation signed; waiting for the partner.',
      '[+  1.1s]   message.received: The partner confirmed.',
      '[+  1.1s] ConfiguringTeams',
      '[+  1.1s]   status.changed: Configuring Teams.',
    ]);
  });

  it('on the first poll shows the steps so far and ends on the current status', () => {
    expect(renderProgress(poll('ConfiguringLocal', [requested, configuring]), undefined, 0)).toEqual([
      '[+  0.0s]   partnership.requested: Partnership requested.',
      '[+  0.0s] ConfiguringLocal',
      '[+  0.0s]   status.changed: Configuring the Entra side.',
    ]);
  });

  it('shows a status whose step is not recorded yet once, not again when the step arrives', () => {
    const ahead = poll('AwaitingPartner', [requested, configuring]);
    expect(renderProgress(ahead, poll('ConfiguringLocal', [requested, configuring]), 500)).toEqual(['[+  0.5s] AwaitingPartner']);
    expect(renderProgress(poll('AwaitingPartner', [requested, configuring, awaiting]), ahead, 1_000)).toEqual([
      '[+  1.0s]   status.changed: Invitation signed; waiting for the partner.',
    ]);
  });

  it('shows a new last error', () => {
    const failed: PartnershipDetails = {
      ...poll('Failed', [requested]),
      lastError: { name: 'DomainError', code: 'tenant.permission-denied', status: 403, message: 'Authorization_RequestDenied', details: {} },
    };
    expect(renderProgress(failed, poll('ConfiguringLocal', [requested]), 0)).toEqual([
      '[+  0.0s] Failed',
      '[+  0.0s]   error: tenant.permission-denied Authorization_RequestDenied',
    ]);
  });
});
