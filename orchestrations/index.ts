// The handshake workflows (see docs/handshake.md): importing this module registers the orchestrations and
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
} from './usecases/partnerships';
export { getOffboardMessage, offboardPartnership, FUNCTION_KEY_ACTOR, type OffboardingAccepted } from './usecases/offboarding';
export { receivePartnerMessage } from './usecases/inbox';
export { acceptPartnerDomains, trustPartnerKey } from './usecases/trust';
export { capabilityCheck, isDryRun, previewPartnership, type PartnershipPreview } from './usecases/preview';
export { listEvents } from './usecases/events';
export type { OrchestrationStarter } from './starter';
export type { HandshakeCustomStatus, HandshakeOutcome } from './workflow';
export type { HandshakeData, StoredMessage } from './records';
