// What an administrator can do about an error, by its stable code (shown with the last error).
const FIXES: Record<string, string> = {
  'request.invalid': 'Correct the fields marked in red and try again.',
  'capability.violation': 'Change the request as each message says (the two clouds do not allow it), or choose another partner cloud.',
  'handshake.bad-pairing-code': 'Ask the inviting administrator to read the pairing code again: four groups of four letters and digits shown on their console. Each wrong code costs one of the 5 tries; the last one refuses the invitation for good.',
  'handshake.unknown-key': "The partner's answer is signed with a key nothing vouches for yet: ask the partner's administrator for its key thumbprint and pin it in the Trust section.",
  'handshake.partner-key-conflict': "Two channels name different partner keys: check the thumbprint with the partner's administrator; if in doubt, offboard and request again.",
  'handshake.wrong-state': 'The partnership is not at the step this needs; wait for the timeline to move on, or read its status.',
  'partnership.illegal-transition': 'The partnership is past the step this action belongs to: the timeline shows where it is.',
  'apply.partial-failure': 'Part of the change was applied: read which operation failed in the timeline, fix its cause, then repeat the action (it continues with what is left).',
  'tenant.not-in-sync': 'A setting did not read back as written (someone may have changed it meanwhile): run "Repair drift now", or check the setting in the admin center.',
  'handshake.expired': 'Ask the partner to request the partnership again: their invitation lifetime has passed.',
  'handshake.partner-unreachable': "Check the partner deployment URL and that the partner's deployment is running; delivery is retried automatically.",
  'handshake.partner-refused': "Read the partner's reason in the timeline; correct the request and ask again.",
  'handshake.partner-timeout': 'The partner did not finish in time: ask its administrator to check its console, then request again.',
  'tenant.permission-denied': "Grant the deployment's identity the Graph permission named in the message (handshake setup does it, or Entra admin center > Enterprise applications > Permissions with admin consent).",
  'tenant.throttled': 'Graph kept throttling: wait a few minutes; the workflow retries by itself.',
  'tenant.unavailable': 'The Microsoft service was unavailable: the workflow retries; reconcile later if it stays Failed.',
  'tenant.policy-too-large': 'The cross-tenant access policy is at its size limit: remove unused partner entries in the Entra admin center.',
  'teams.manual-action-required': 'Run the PowerShell script shown in the timeline in the Teams PowerShell module, then wait for the next check.',
  'reconcile.not-active': 'Reconcile runs once the partnership is Active.',
  'auth.role-missing': 'Ask an administrator to assign you the app role Partnerships.Admin, then sign in again.',
  'storage.unavailable': 'Table storage did not answer: check the storage account; try again shortly.',
};

export function fixFor(code: string): string | undefined {
  return FIXES[code];
}
