// Pre-trust rules: configuration naming a partner tenant and its key thumbprint whose invitations
// are approved without a pairing code. Parsed once at start; bad configuration fails loudly.
import { DomainError } from '../errors';
import { keyThumbprintSchema } from './keys';
import { tenantIdSchema } from './messages';

export interface PreTrustRule {
  /** Partner tenant id (lower case). */
  tenantId: string;
  /** RFC 7638 thumbprint of the partner deployment's public key. */
  keyThumbprint: string;
  note?: string;
}

/** App setting read by the wiring (the name is a convention, not read here). */
export const PRE_TRUST_SETTING = 'HANDSHAKE_PRETRUST_RULES';

/**
 * Parses pre-trust rules. Accepted forms:
 * - empty / undefined: no rule;
 * - JSON array: `[{"tenantId": "<guid>", "keyThumbprint": "<43 base64url chars>", "note": "..."}]`;
 * - compact list: `<tenantId>=<keyThumbprint>` separated by `;`, `,` or new lines.
 * Throws `config.invalid` naming the rule (1-based) and the field that is wrong.
 */
export function parsePreTrustRules(value: string | undefined | null, setting = PRE_TRUST_SETTING): PreTrustRule[] {
  const text = (value ?? '').trim();
  if (text === '') return [];
  const entries: unknown[] = /^[[{]/.test(text) ? parseJsonArray(text, setting) : parseCompact(text, setting);
  const rules: PreTrustRule[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const rule = parseRule(entry, index + 1, setting);
    const key = `${rule.tenantId}|${rule.keyThumbprint}`;
    if (!seen.has(key)) rules.push(rule);
    seen.add(key);
  });
  return rules;
}

/** The rule that pre-trusts this partner key, if any (tenant ids compare case-insensitively). */
export function findPreTrustRule(
  rules: readonly PreTrustRule[],
  partner: { tenantId: string; keyThumbprint: string },
): PreTrustRule | undefined {
  const tenantId = partner.tenantId.toLowerCase();
  return rules.find((rule) => rule.tenantId === tenantId && rule.keyThumbprint === partner.keyThumbprint);
}

function parseJsonArray(text: string, setting: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(setting, `is not valid JSON (${(error as Error).message}).`);
  }
  if (!Array.isArray(value)) throw invalid(setting, 'must be a JSON array of rules.');
  return value;
}

function parseCompact(text: string, setting: string): unknown[] {
  return text
    .split(/[;,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const parts = entry.split('=');
      if (parts.length !== 2) throw invalid(setting, `rule ${index + 1} "${entry}" must be <tenantId>=<keyThumbprint>.`, { rule: index + 1 });
      return { tenantId: parts[0].trim(), keyThumbprint: parts[1].trim() };
    });
}

function parseRule(entry: unknown, number: number, setting: string): PreTrustRule {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    throw invalid(setting, `rule ${number} must be an object with tenantId and keyThumbprint.`, { rule: number });
  }
  const { tenantId, keyThumbprint, note, ...rest } = entry as Record<string, unknown>;
  const unknownFields = Object.keys(rest);
  if (unknownFields.length > 0) {
    throw invalid(setting, `rule ${number} has unknown field(s) ${unknownFields.join(', ')}.`, { rule: number, field: unknownFields[0] });
  }
  const tenant = tenantIdSchema.safeParse(tenantId);
  if (!tenant.success) {
    throw invalid(setting, `rule ${number}: tenantId ${JSON.stringify(tenantId ?? null)} is not a tenant ID (GUID).`, { rule: number, field: 'tenantId' });
  }
  const thumbprint = keyThumbprintSchema.safeParse(keyThumbprint);
  if (!thumbprint.success) {
    throw invalid(setting, `rule ${number}: keyThumbprint must be the key's RFC 7638 SHA-256 thumbprint (43 base64url characters).`, {
      rule: number,
      field: 'keyThumbprint',
    });
  }
  if (note !== undefined && typeof note !== 'string') {
    throw invalid(setting, `rule ${number}: note must be text.`, { rule: number, field: 'note' });
  }
  return { tenantId: tenant.data, keyThumbprint: thumbprint.data, ...(note !== undefined ? { note } : {}) };
}

function invalid(setting: string, problem: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('config.invalid', `Pre-trust rules (${setting}) ${problem}`, { details: { setting, ...details } });
}
