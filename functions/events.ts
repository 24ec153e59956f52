// GET /api/events (admin): the audit trail, paged and filtered; see orchestrations/usecases/events.ts.
import { handshakeDeployment, listEvents } from '../orchestrations';
import { adminHttp } from './adminRoutes';
import { jsonResponse, withProblemDetails } from './http';

adminHttp('eventsList', {
  route: 'events',
  methods: ['GET'],
  handler: withProblemDetails(async (request) =>
    jsonResponse(200, await listEvents(Object.fromEntries(request.query.entries()), request.url, { deployment: handshakeDeployment() })),
  ),
});
