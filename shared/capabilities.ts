// Capability rules of design §3: what two clouds allow, checked before any tenant is touched.
// Every violation is returned at once, each with a stable code and a sentence for an admin.
import { CLOUDS, isCrossCloud, type CloudName } from './clouds';
import { DomainError } from './errors';
import type { PartnershipRequest } from './partnership';

export const VIOLATION_CODES = [
  'clouds.usgov-china',
  'b2b-direct-connect.cross-cloud',
  'sync.direction-not-allowed',
  'sync.china-unsupported',
  'acs.usgov-not-available',
  'acs.china-not-available',
  'partner.domain-across-clouds',
  'teams.cross-cloud-meetings-same-cloud',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

export interface CapabilityViolation {
  code: ViolationCode;
  /** The request field the rule is about (dotted path), when there is one. */
  field?: string;
  message: string;
}

/** The parts of a request the rules look at (a parsed request or a desired collaboration). */
export type CapabilityInput = Pick<PartnershipRequest, 'teams' | 'b2bDirectConnect' | 'crossTenantSync'> & {
  partnerDomain?: string;
};

const name = (cloud: CloudName): string => CLOUDS[cloud].displayName;

/** Every rule the requested collaboration breaks between the two clouds (empty when none). */
export function checkCapabilities(localCloud: CloudName, partnerCloud: CloudName, desired: CapabilityInput): CapabilityViolation[] {
  const local = CLOUDS[localCloud].environment;
  const partner = CLOUDS[partnerCloud].environment;
  const crossCloud = isCrossCloud(localCloud, partnerCloud);
  const violations: CapabilityViolation[] = [];

  if ((local === 'USGov' && partner === 'China') || (local === 'China' && partner === 'USGov')) {
    violations.push({
      code: 'clouds.usgov-china',
      field: 'partnerCloud',
      message:
        `${name(localCloud)} and ${name(partnerCloud)} cannot collaborate: Microsoft supports neither B2B collaboration, ` +
        'Teams federation nor cross-cloud meetings between US Government and China (21Vianet) tenants.',
    });
  }

  if (crossCloud && desired.partnerDomain) {
    violations.push({
      code: 'partner.domain-across-clouds',
      field: 'partnerDomain',
      message:
        `A partner in ${name(partnerCloud)} must be identified by its tenant ID: a domain cannot be looked up across clouds. ` +
        'Ask the partner for its tenant ID.',
    });
  }

  const direct = desired.b2bDirectConnect;
  if (crossCloud && direct && (direct.inbound || direct.outbound)) {
    violations.push({
      code: 'b2b-direct-connect.cross-cloud',
      field: 'b2bDirectConnect',
      message:
        'B2B direct connect (Teams shared channels) does not work between different Microsoft clouds. ' +
        'Remove b2bDirectConnect; B2B collaboration (guests) and Teams federation still work.',
    });
  }

  const sync = desired.crossTenantSync;
  if (sync) {
    const inbound = sync.direction === 'inbound' || sync.direction === 'both';
    const outbound = sync.direction === 'outbound' || sync.direction === 'both';
    // Global ↔ USGov both ways; Global → China only; USGov ↔ China is refused above.
    const refusedDirection =
      (local === 'Global' && partner === 'China' && inbound) || (local === 'China' && partner === 'Global' && outbound);
    if (refusedDirection) {
      violations.push({
        code: 'sync.direction-not-allowed',
        field: 'crossTenantSync.direction',
        message:
          'Cross-tenant synchronisation between Global and China (21Vianet) works only from the Global tenant to the China tenant: ' +
          (local === 'Global' ? 'use direction "outbound".' : 'use direction "inbound".'),
      });
    }
    if (local === 'China' && partner !== 'USGov') {
      violations.push({
        code: 'sync.china-unsupported',
        field: 'crossTenantSync',
        message:
          'This product cannot configure cross-tenant synchronisation in a China (21Vianet) tenant: Microsoft Graph there offers ' +
          'neither identitySynchronization nor synchronisation jobs. Configure it in the Entra admin center instead.',
      });
    }
  }

  if (!crossCloud && desired.teams?.crossCloudMeetings) {
    violations.push({
      code: 'teams.cross-cloud-meetings-same-cloud',
      field: 'teams.crossCloudMeetings',
      message:
        `Cross-cloud meetings are for organisations in another Microsoft cloud, and ${name(partnerCloud)} is the same cloud as this tenant: ` +
        'remove teams.crossCloudMeetings; meetings with a partner in the same cloud work through Teams federation.',
    });
  }

  if (desired.teams?.acsInterop) {
    if (local === 'USGov') {
      violations.push({
        code: 'acs.usgov-not-available',
        field: 'teams.acsInterop',
        message: 'Azure Communication Services interop with Teams is not available for US Government (GCC High, DoD) Teams tenants.',
      });
    } else if (local === 'China') {
      violations.push({
        code: 'acs.china-not-available',
        field: 'teams.acsInterop',
        message: 'Azure Communication Services interop with Teams is available only on the Global side, not for a China (21Vianet) Teams tenant.',
      });
    }
  }
  return violations;
}

/** Throws `capability.violation` listing every violation, or returns when there is none. */
export function assertCapabilities(localCloud: CloudName, partnerCloud: CloudName, desired: CapabilityInput): void {
  const violations = checkCapabilities(localCloud, partnerCloud, desired);
  if (violations.length > 0) {
    throw new DomainError(
      'capability.violation',
      violations.map((violation) => violation.message).join(' '),
      { details: { violations } },
    );
  }
}
