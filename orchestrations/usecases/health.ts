// The deployment's health report (GET /api/health): the doctor's checks run against the
// deployment exactly as the app builds it from its settings, with a fresh credential so that a
// permission granted a moment ago shows.
import { DEFAULTS } from '../../shared/config';
import { runDoctor, type DoctorReport } from '../../shared/deploy/doctor';
import { createCredential } from '../../shared/graph/credential';
import { handshakeDeployment } from '../deployment';
import { NOTIFICATIONS_ROUTE } from '../../shared/reconcile/subscriptions';

export function checkDeploymentHealth(): Promise<DoctorReport> {
  return runDoctor(
    () => {
      const deployment = handshakeDeployment();
      const { config } = deployment;
      return {
        config,
        tables: deployment.repositories.tables,
        keyStore: deployment.keyStore,
        credential: createCredential(config.credential, config.tenantId, config.endpoints),
      };
    },
    {
      webhookPath: `/api/${NOTIFICATIONS_ROUTE}`,
      maxClockSkewMs: DEFAULTS.healthMaxClockSkewSeconds * 1_000,
      requestTimeoutMs: DEFAULTS.healthRequestTimeoutMs,
    },
  );
}
