// The signed-in administrator, as App Service Authentication passes it to the app: the
// `x-ms-client-principal` header (base64 JSON `{auth_typ, name_typ, role_typ, claims: [{typ, val}]}`).
// The header is trusted only when the deployment says App Service Authentication sits in front
// (TRUST_APP_SERVICE_PRINCIPAL): App Service removes client-sent copies, nothing else does.
// See docs/console.md.
import { DEFAULTS, SETTINGS } from '../config';
import { DomainError } from '../errors';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';
/** Events actor of an admin call authenticated by a function key only. */
export const FUNCTION_KEY_ACTOR = 'admin:function-key';
/** Largest principal header read (App Service's are a few KB). */
const MAX_PRINCIPAL_BYTES = 16 * 1024;
const ROLE_CLAIM_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_CLAIM_TYPES = ['preferred_username', 'upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'name'];

export interface SignInSettings {
  trustPrincipal: boolean;
  adminRole: string;
}

export interface SignedInUser {
  /** The account name (UPN): what the Events actor records. */
  name: string;
  /** The person's display name, when the token carries one. */
  displayName?: string;
  roles: string[];
}

/** The sign-in settings of this deployment (app settings). */
export function signInSettings(env: Record<string, string | undefined> = process.env): SignInSettings {
  const trust = env[SETTINGS.trustAppServicePrincipal]?.trim().toLowerCase();
  return {
    trustPrincipal: trust === undefined || trust === '' ? DEFAULTS.trustAppServicePrincipal : trust === 'true' || trust === '1',
    adminRole: env[SETTINGS.consoleAdminRole]?.trim() || DEFAULTS.consoleAdminRole,
  };
}

/** The user a principal header names; undefined when absent, untrusted or unreadable. */
export function readClientPrincipal(header: string | null | undefined, settings: SignInSettings): SignedInUser | undefined {
  if (!settings.trustPrincipal || !header || header.length > MAX_PRINCIPAL_BYTES) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { claims?: unknown }).claims)) return undefined;
  const principal = parsed as { name_typ?: unknown; role_typ?: unknown; claims: unknown[] };
  const claims = principal.claims.filter(
    (claim): claim is { typ: string; val: string } =>
      !!claim && typeof claim === 'object' && typeof (claim as { typ?: unknown }).typ === 'string' && typeof (claim as { val?: unknown }).val === 'string',
  );
  const valuesOf = (types: readonly string[]): string[] => claims.filter((claim) => types.includes(claim.typ)).map((claim) => claim.val);
  const nameTypes = typeof principal.name_typ === 'string' ? [principal.name_typ, ...NAME_CLAIM_TYPES] : NAME_CLAIM_TYPES;
  const roleTypes = typeof principal.role_typ === 'string' ? [principal.role_typ, ...ROLE_CLAIM_TYPES] : ROLE_CLAIM_TYPES;
  const name = nameTypes.map((type) => valuesOf([type])[0]).find((value) => value !== undefined && value.trim() !== '');
  if (!name) return undefined;
  const displayName = valuesOf(['name'])[0];
  return { name: name.trim().slice(0, 200), ...(displayName ? { displayName: displayName.slice(0, 200) } : {}), roles: [...new Set(valuesOf(roleTypes))] };
}

/** The signed-in administrator, or `auth.sign-in-required` / `auth.role-missing`. */
export function requireAdmin(header: string | null | undefined, settings: SignInSettings): SignedInUser {
  const user = readClientPrincipal(header, settings);
  if (!user) {
    throw new DomainError('auth.sign-in-required', 'Sign in with your organisation account (App Service Authentication) to use this route.', {
      details: { signIn: '/.auth/login/aad' },
    });
  }
  if (!user.roles.includes(settings.adminRole)) {
    throw new DomainError('auth.role-missing', `${user.name} is signed in but lacks the app role "${settings.adminRole}" this route needs; ask an administrator of the app registration to assign it.`, {
      details: { missingRole: settings.adminRole, user: user.name },
    });
  }
  return user;
}

/** The Events actor of an admin call: the signed-in administrator, else the function key. */
export function adminActor(user: SignedInUser | undefined): string {
  return user ? `admin:${user.name}` : FUNCTION_KEY_ACTOR;
}
