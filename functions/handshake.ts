// The partner routes (anonymous: trusted only through signatures): the webhook that receives
// handshake messages, and the deployment's public signing keys.
import { app } from '@azure/functions';
import { buildJwks, JWKS_CONTENT_TYPE, MAX_MESSAGE_BYTES } from '../shared/handshake';
import { handshakeDeployment, receivePartnerMessage } from '../orchestrations';
import { durableClientInput, orchestrationStarter } from './durable';
import { jsonResponse, readTextBody, withProblemDetails } from './http';

app.http('handshakeMessages', {
  route: 'handshake/messages',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [durableClientInput],
  handler: withProblemDetails(async (request, context) => {
    const jws = await readTextBody(request, MAX_MESSAGE_BYTES);
    const answer = await receivePartnerMessage(jws, { deployment: handshakeDeployment(), durable: orchestrationStarter(context) });
    return jsonResponse(answer.status, answer.body);
  }, { anonymous: true }),
});

app.http('handshakeJwks', {
  route: 'handshake/jwks',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: withProblemDetails(async () => {
    const key = await handshakeDeployment().keyStore.getDeploymentKey();
    return { status: 200, headers: { 'content-type': JWKS_CONTENT_TYPE, 'cache-control': 'public, max-age=300' }, body: JSON.stringify(buildJwks([key.publicJwk])) };
  }, { anonymous: true }),
});
