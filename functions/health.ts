// GET /api/health (admin: function key): the deployment's checks, one result each with its fix —
// 200 when none failed, 503 when one did (the report is the body either way).
import { app } from '@azure/functions';
import { checkDeploymentHealth } from '../orchestrations/usecases/health';
import { jsonResponse, withProblemDetails } from './http';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'function',
  handler: withProblemDetails(async () => {
    const report = await checkDeploymentHealth();
    return jsonResponse(report.status === 'fail' ? 503 : 200, report, { 'cache-control': 'no-store' });
  }),
});
