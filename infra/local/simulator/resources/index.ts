// Every Graph route the simulator serves, by resource.
import type { GraphRoute } from '../graph/types';
import { groupRoutes } from './groups';
import { invitationRoutes } from './invitations';
import { m365CapabilityRoutes } from './m365Capabilities';
import { mtoRoutes } from './mto';
import { organizationRoutes } from './organization';
import { partnerRoutes } from './partners';
import { policyRoutes } from './policy';
import { roleManagementRoutes } from './roleManagement';
import { subscriptionRoutes } from './subscriptions';
import { syncRoutes } from './sync';
import { teamMemberRoutes } from './teamMembers';
import { userRoutes } from './users';

export const graphRoutes: GraphRoute[] = [
  ...policyRoutes,
  ...partnerRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...invitationRoutes,
  ...organizationRoutes,
  ...subscriptionRoutes,
  ...syncRoutes,
  ...mtoRoutes,
  ...roleManagementRoutes,
  ...m365CapabilityRoutes,
  ...teamMemberRoutes,
];
