// The signed-in administrator from App Service's x-ms-client-principal header.
import { adminActor, readClientPrincipal, requireAdmin, signInSettings } from '../../../shared/console/principal';
import { DomainError } from '../../../shared/errors';

const trusted = { trustPrincipal: true, adminRole: 'Partnerships.Admin' };
const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');
const NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const ROLE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

describe('the client principal', () => {
  const principal = encode({
    auth_typ: 'aad',
    name_typ: NAME,
    role_typ: ROLE,
    claims: [
      { typ: 'name', val: 'Contoso Administrator' },
      { typ: NAME, val: 'admin@contoso.com' },
      { typ: 'roles', val: 'Partnerships.Admin' },
      { typ: 'roles', val: 'Other.Role' },
    ],
  });

  it('reads the name App Service names and the roles under either claim type', () => {
    expect(readClientPrincipal(principal, trusted)).toEqual({ name: 'admin@contoso.com', displayName: 'Contoso Administrator', roles: ['Partnerships.Admin', 'Other.Role'] });
    const longRoles = encode({ name_typ: NAME, role_typ: ROLE, claims: [{ typ: NAME, val: 'a@b.c' }, { typ: ROLE, val: 'Partnerships.Admin' }] });
    expect(readClientPrincipal(longRoles, trusted)?.roles).toEqual(['Partnerships.Admin']);
  });

  it('ignores the header unless App Service Authentication is trusted, and anything unreadable', () => {
    expect(readClientPrincipal(principal, { ...trusted, trustPrincipal: false })).toBeUndefined();
    for (const bad of [undefined, null, '', 'not base64 json', encode({ claims: 'x' }), encode({ claims: [{ typ: 'roles', val: 'Partnerships.Admin' }] }), 'A'.repeat(20_000)]) {
      expect(readClientPrincipal(bad, trusted)).toBeUndefined();
    }
  });

  it('requires a signed-in user (401) with the admin role (403 naming the role)', () => {
    const problem = (header: string | undefined): DomainError => {
      try {
        requireAdmin(header, trusted);
      } catch (error) {
        return error as DomainError;
      }
      throw new Error('not refused');
    };
    expect(problem(undefined)).toMatchObject({ code: 'auth.sign-in-required', status: 401 });
    const withoutRole = encode({ name_typ: NAME, claims: [{ typ: NAME, val: 'adele@contoso.com' }] });
    expect(problem(withoutRole)).toMatchObject({ code: 'auth.role-missing', status: 403, details: { missingRole: 'Partnerships.Admin', user: 'adele@contoso.com' } });
    expect(requireAdmin(principal, trusted).name).toBe('admin@contoso.com');
  });

  it('records the admin as the Events actor, or the function key', () => {
    expect(adminActor({ name: 'admin@contoso.com', roles: [] })).toBe('admin:admin@contoso.com');
    expect(adminActor(undefined)).toBe('admin:function-key');
  });

  it('reads its settings: untrusted and Partnerships.Admin by default', () => {
    expect(signInSettings({})).toEqual({ trustPrincipal: false, adminRole: 'Partnerships.Admin' });
    expect(signInSettings({ TRUST_APP_SERVICE_PRINCIPAL: 'true', CONSOLE_ADMIN_ROLE: 'Handshake.Admin' })).toEqual({ trustPrincipal: true, adminRole: 'Handshake.Admin' });
  });
});
