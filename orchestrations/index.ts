// The handshake workflows (design §4): importing this module registers the orchestrations and
// activities; the exports are what the HTTP triggers call.
import './activities/recordStep';
import './activities/configureTenant';
import './activities/verifyTenant';
import './activities/undoPartnershipChanges';
import './activities/prepareMessage';
import './activities/sendMessage';
import './activities/cancelOnboarding';
import './activities/findTenantWriters';
import './activities/removeSubscriptions';
import './activities/removePartnershipConfiguration';
import './activities/fetchPartnerKey';
import './activities/checkPartnerDomains';
import './onboardPartner';
import './acceptInvitation';
import './rejectInvitation';
import './offboardPartner';

export { handshakeDeployment, createHandshakeDeployment, type HandshakeDeployment } from './deployment';
export * from './names';
export {
  approvePartnership,
  getInvitation,
  getPartnership,
  listPartnerships,
  planPartnership,
  rejectPartnership,
  requestPartnership,
  type CreatedPartnership,
  type EntryPointContext,
  type PartnershipAction,
  type PartnershipDetails,
  type PartnershipStep,
  type PartnershipSummary,
} from './partnerships';
export { getOffboardMessage, offboardPartnership, FUNCTION_KEY_ACTOR, type OffboardingAccepted } from './offboarding';
export { receivePartnerMessage } from './inbox';
export { acceptPartnerDomains, trustPartnerKey } from './trust';
export { capabilityCheck, isDryRun, previewPartnership, type PartnershipPreview } from './preview';
export { listEvents } from './events';
export type { OrchestrationStarter } from './starter';
export type { HandshakeCustomStatus, HandshakeOutcome } from './workflow';
export type { HandshakeData, StoredMessage } from './records';
