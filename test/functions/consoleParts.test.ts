// Pure parts of the console: every request field explained (list items too), the environments as
// a choice, the OpenAPI helpers, the CSV export's quoting.
import { z } from 'zod';
import { csvCell } from '../../functions/console/web/csv';
import { jsonSchema, propertyPaths, withHelp } from '../../functions/console/jsonSchema';
import { PARTNERSHIP_REQUEST_HELP } from '../../shared/api/fieldHelp';
import { ENVIRONMENT_NAMES } from '../../shared/clouds';
import { capabilityRequestSchema, partnershipRequestSchema } from '../../shared/partnership';

describe('console parts', () => {
  it('explains every field of the partnership request, and nothing that is not one', () => {
    const paths = propertyPaths(jsonSchema(partnershipRequestSchema));
    expect(paths.filter((path) => !PARTNERSHIP_REQUEST_HELP[path])).toEqual([]);
    expect(Object.keys(PARTNERSHIP_REQUEST_HELP).filter((path) => !paths.includes(path))).toEqual([]);
    // The new parts of a request among them: targeting, guests' teams, the invitation e-mail, external access, M365 capabilities.
    expect(paths).toEqual(
      expect.arrayContaining([
        'b2bCollaboration.inbound.users.userIds',
        'b2bCollaboration.outbound.applications.access',
        'guests[].teams',
        'guests[].teams[].role',
        'guestInvitation.redirectUrls',
        'teams.externalAccess.blockedDomains',
        'teams.meetingPolicies',
        'm365Capabilities.inbound.places',
        'acceptedPartnerDomains',
      ]),
    );
    // The capability check reads the same fields, so the same help explains them.
    expect(propertyPaths(jsonSchema(capabilityRequestSchema)).filter((path) => !PARTNERSHIP_REQUEST_HELP[path])).toEqual([]);
    type Described = { description?: string; enum?: string[]; items?: Described; properties?: Record<string, Described>; anyOf?: Described[] };
    const described = withHelp(jsonSchema(partnershipRequestSchema), PARTNERSHIP_REQUEST_HELP) as Described;
    expect(described.properties!.partnerCloud.description).toBe(PARTNERSHIP_REQUEST_HELP.partnerCloud);
    const guestObject = described.properties!.guests.items!.anyOf!.find((option) => option.properties)!;
    expect(guestObject.properties!.teams.description).toBe(PARTNERSHIP_REQUEST_HELP['guests[].teams']);
    expect(guestObject.properties!.teams.items!.properties!.teamId.description).toBe(PARTNERSHIP_REQUEST_HELP['guests[].teams[].teamId']);
  });

  it('describes the environments as a choice of their names (a select in the form), aliases still accepted', () => {
    const schema = jsonSchema(partnershipRequestSchema) as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.partnerCloud.enum).toEqual([...ENVIRONMENT_NAMES]);
    expect(ENVIRONMENT_NAMES).toEqual(['Global', 'GCC', 'GCCHigh', 'DoD', 'China']);
    expect(partnershipRequestSchema.safeParse({ partnerTenantId: '7e8be59e-c071-47fb-ab9c-d694c21edb87', partnerCloud: 'USGov', partnerDeploymentUrl: 'https://b.example' }).data?.partnerCloud).toBe('GCCHigh');
  });

  it('turns zod into JSON Schema 2020-12 without the $schema key (OpenAPI 3.1 schema objects)', () => {
    expect(jsonSchema(z.strictObject({ a: z.string().optional() }))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
  });

  it('quotes CSV cells and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nthere')).toBe('"say ""hi""\nthere"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(undefined)).toBe('');
  });
});
