// GET /api/health (admin: function key, or the signed-in console): the deployment's checks, one
// result each with its fix — 200 when none failed, 503 when one did (the report is the body either way).
import { checkDeploymentHealth } from '../orchestrations/usecases/health';
import { adminHttp } from './adminRoutes';
import { jsonResponse, withProblemDetails } from './http';

adminHttp('health', {
  route: 'health',
  methods: ['GET'],
  handler: withProblemDetails(async () => {
    const report = await checkDeploymentHealth();
    return jsonResponse(report.status === 'fail' ? 503 : 200, report, { 'cache-control': 'no-store' });
  }),
});
