// The offline preflight: what a pair of environments allows, and whether a request breaks a
// rule — on either side — before anyone is asked for anything. Pure (no tenant is read); the CLI's
// `handshake check`, the API and a console call it alike. The rules: shared/capabilities.ts.
import { evaluateCapabilities, type CapabilityEvaluation } from './capabilities';
import { ENVIRONMENT_NAME_MESSAGE, parseEnvironment, type EnvironmentName } from './clouds';
import { DomainError } from './errors';
import { capabilityRequestSchema, parseOrThrow } from './partnership';

export type PreflightResult = CapabilityEvaluation;

/**
 * Evaluates the capability rules for `local` (this tenant's environment) and `partner`. Without a
 * request: every capability for the pair; with one (a partnership request, raw JSON or parsed;
 * partner identity optional): exactly what it asks. Throws `request.invalid` for an unknown
 * environment (named in the message) or a bad request (every bad field listed).
 */
export function preflight(local: string, partner: string, request?: unknown): PreflightResult {
  const localEnvironment = environmentOrThrow(local, 'local');
  const partnerEnvironment = environmentOrThrow(partner, 'partner');
  if (request === undefined) return evaluateCapabilities(localEnvironment, partnerEnvironment);
  const parsed = parseOrThrow(capabilityRequestSchema, request, 'partnership request');
  if (parsed.partnerCloud && parsed.partnerCloud !== partnerEnvironment) {
    throw new DomainError('request.invalid', `The request places the partner in ${parsed.partnerCloud}, not ${partnerEnvironment}.`, {
      details: { issues: [{ field: 'partnerCloud', message: `is ${parsed.partnerCloud}, but the partner environment given is ${partnerEnvironment}` }] },
    });
  }
  return evaluateCapabilities(localEnvironment, partnerEnvironment, parsed);
}

function environmentOrThrow(value: string, which: 'local' | 'partner'): EnvironmentName {
  const environment = parseEnvironment(value);
  if (!environment) {
    throw new DomainError('request.invalid', `Unknown ${which} environment "${value}": ${ENVIRONMENT_NAME_MESSAGE}.`, {
      details: { issues: [{ field: which, message: `"${value}" ${ENVIRONMENT_NAME_MESSAGE}` }] },
    });
  }
  return environment;
}
