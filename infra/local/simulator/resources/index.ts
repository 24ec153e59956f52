// Every Graph route the simulator serves, by resource.
import type { GraphRoute } from '../graph/types';
import { partnerRoutes } from './partners';
import { policyRoutes } from './policy';

export const graphRoutes: GraphRoute[] = [...policyRoutes, ...partnerRoutes];
