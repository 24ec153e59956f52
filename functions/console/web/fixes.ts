// What an administrator can do about an error, by its stable code (shown with the last error).
const FIXES: Record<string, string> = {
  'request.invalid': 'Correct the fields marked in red and try again.',
  'capability.violation': 'Change the request as each message says (the two clouds do not allow it), or choose another partner cloud.',
  'handshake.bad-pairing-code': 'Ask the inviting administrator to read the pairing code again; it is four groups of letters and digits shown on their console.',
  'handshake.expired': 'Ask the partner to request the partnership again: their invitation lifetime has passed.',
  'handshake.partner-unreachable': "Check the partner deployment URL and that the partner's deployment is running; delivery is retried automatically.",
  'handshake.partner-refused': "Read the partner's reason in the timeline; correct the request and ask again.",
  'handshake.partner-timeout': 'The partner did not finish in time: ask its administrator to check its console, then request again.',
  'tenant.permission-denied': "Grant the app registration the Graph permission named in the message (Entra admin center > App registrations > API permissions) and give admin consent.",
  'tenant.throttled': 'Graph kept throttling: wait a few minutes; the workflow retries by itself.',
  'tenant.unavailable': 'The Microsoft service was unavailable: the workflow retries; reconcile later if it stays Failed.',
  'tenant.policy-too-large': 'The cross-tenant access policy is at its size limit: remove unused partner entries in the Entra admin center.',
  'teams.manual-action-required': 'Run the PowerShell script shown in the timeline in the Teams PowerShell module, then wait for the next check.',
  'reconcile.not-active': 'Reconcile runs once the partnership is Active.',
  'offboarding.not-implemented': 'Offboarding is not available in this version of the deployment; nothing was changed.',
  'auth.role-missing': 'Ask an administrator to assign you the app role Partnerships.Admin, then sign in again.',
  'storage.unavailable': 'Table storage did not answer: check the storage account; try again shortly.',
};

export function fixFor(code: string): string | undefined {
  return FIXES[code];
}
