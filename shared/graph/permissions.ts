// Which Microsoft Graph application permissions the deployment's identity holds: the `roles` claim
// of its own app-only Graph token (Entra puts the consented application permissions there). Used
// to refuse, before anything is written, an operation the tenant would refuse half-way.
import type { TokenCredential } from '@azure/core-auth';
import { decodeJwt } from 'jose';
import { DomainError } from '../errors';

/** The application permissions in the deployment's Graph token (an empty list when it carries none). */
export async function grantedApplicationPermissions(credential: TokenCredential, graphScope: string): Promise<string[]> {
  let token: string | undefined;
  try {
    token = (await credential.getToken(graphScope))?.token;
  } catch (error) {
    throw new DomainError('tenant.authentication-failed', `Could not get a Graph token to check the deployment's permissions: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (!token) throw new DomainError('tenant.authentication-failed', 'Could not get a Graph token to check the deployment\'s permissions.');
  let roles: unknown;
  try {
    // Our own token from the token endpoint, read (not trusted for anything but this check).
    roles = decodeJwt(token).roles;
  } catch {
    throw new DomainError('tenant.authentication-failed', 'The Graph token of the deployment is not a JWT; its permissions cannot be checked.');
  }
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}
