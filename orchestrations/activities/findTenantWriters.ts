// findTenantWriters: who is still writing to the tenant for a partnership being offboarded — a
// reconcile run or a configure step that registered before the partnership left the statuses they
// serve (see shared/tables/writers.ts). The offboarding waits until they are gone.
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { handshakeDeployment } from '../deployment';
import { FIND_TENANT_WRITERS_ACTIVITY } from '../names';

export interface FindTenantWritersInput {
  partnershipId: string;
  /** Only these writers (the ones found first: writers that registered later skip the partnership). */
  only?: string[];
}

export interface FindTenantWritersResult {
  writers: { writerId: string; expiresAt: string }[];
}

export async function findTenantWriters(input: FindTenantWritersInput): Promise<FindTenantWritersResult> {
  const writers = await handshakeDeployment().repositories.writers.inFlight(input.partnershipId, input.only);
  return { writers: writers.map(({ writerId, expiresAt }) => ({ writerId, expiresAt })) };
}

const handler: ActivityHandler = (input: unknown) => findTenantWriters(input as FindTenantWritersInput);
df.app.activity(FIND_TENANT_WRITERS_ACTIVITY, { handler });
