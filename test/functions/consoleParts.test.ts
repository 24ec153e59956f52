// Pure parts of the console: the live capability preflight, every request field explained, the
// OpenAPI helpers, the CSV export's quoting.
import { z } from 'zod';
import { csvCell } from '../../functions/console/web/csv';
import { jsonSchema, propertyPaths, withHelp } from '../../functions/console/jsonSchema';
import { PARTNERSHIP_REQUEST_HELP } from '../../shared/api/fieldHelp';
import { capabilityPreflight } from '../../shared/console/capabilityPreflight';
import { partnershipRequestSchema } from '../../shared/partnership';

describe('console parts', () => {
  it('preflight: the pair alone, then the request so far, read leniently', () => {
    expect(capabilityPreflight('Global', 'China')).toEqual({ localCloud: 'Global', partnerCloud: 'China', allowed: true, violations: [] });
    expect(capabilityPreflight('GCCHigh', 'China').violations.map((violation) => violation.code)).toEqual(['clouds.usgov-china']);
    const partial = capabilityPreflight('China', 'Global', { teams: { acsInterop: {} }, crossTenantSync: { direction: 'outbound' }, b2bDirectConnect: 'nonsense', guests: 42 });
    expect(partial.violations.map((violation) => violation.code).sort()).toEqual(['acs.china-not-available', 'sync.china-unsupported', 'sync.direction-not-allowed']);
    expect(capabilityPreflight('Global', 'Global', { teams: { crossCloudMeetings: { inbound: true } } }).violations[0]?.code).toBe('teams.cross-cloud-meetings-same-cloud');
  });

  it('explains every field of the partnership request, and nothing that is not one', () => {
    const paths = propertyPaths(jsonSchema(partnershipRequestSchema));
    expect(paths.filter((path) => !PARTNERSHIP_REQUEST_HELP[path])).toEqual([]);
    expect(Object.keys(PARTNERSHIP_REQUEST_HELP).filter((path) => !paths.includes(path))).toEqual([]);
    const described = withHelp(jsonSchema(partnershipRequestSchema), PARTNERSHIP_REQUEST_HELP) as { properties: Record<string, { description?: string }> };
    expect(described.properties.partnerCloud.description).toBe(PARTNERSHIP_REQUEST_HELP.partnerCloud);
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
