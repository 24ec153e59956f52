// The handshake workflows (design §4): importing this module registers the orchestrations and
// activities; the exports are what the HTTP triggers call.
import './activities/recordStep';
import './activities/configureTenant';
import './activities/verifyTenant';
import './activities/undoPartnershipChanges';
import './activities/prepareMessage';
import './activities/sendMessage';
import './onboardPartner';
import './acceptInvitation';
import './rejectInvitation';

export { handshakeDeployment, createHandshakeDeployment, type HandshakeDeployment } from './deployment';
export * from './names';
export {
  approvePartnership,
  getInvitation,
  getPartnership,
  listPartnerships,
  offboardPartnership,
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
export { receivePartnerMessage } from './inbox';
export { isDryRun, preflight, previewPartnership, type PartnershipPreview } from './preview';
export { listEvents } from './events';
export type { OrchestrationStarter } from './starter';
export type { HandshakeCustomStatus, HandshakeOutcome } from './workflow';
export type { HandshakeData, StoredMessage } from './records';
