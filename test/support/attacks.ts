// The attacks on the handshake, as an attacker on the network would try them against two running
// deployments (Contoso, Global, invites Woodgrove China, 21Vianet) — one catalogue, run by the
// security tests (test/security/, one file per kind of attack) and by `npm run bench -- attacks`.
// Each attack states the refusal it expects. A message-level attack must change nothing at all
// (scope `all`: no watched row of either deployment, no tenant; see ./security). An attack that
// plays out over a whole exchange (a brute-forced code, a redirecting partner, a substituted key)
// reports what it must not change itself (scope `custom`): no key trusted, no approval, no tenant
// left changed. A refusal must also not reveal what the deployment holds (the partner it expects,
// the key it trusts, the partnership's status, the pairing code).
import {
  FileDeploymentKeyStore,
  generateDeploymentKey,
  HANDSHAKE_JWS_TYPE,
  newNonce,
  pairingKeyProof,
  signHandshakeMessage,
  type DeploymentKey,
  type HandshakeMessageDraft,
} from '../../shared/handshake';
import {
  keyChanges,
  stackState,
  startFakePartner,
  startRedirector,
  stateChanges,
  tenantChanges,
  trustChanges,
  type FakePartner,
  type Redirector,
  type StackState,
} from './security';
import {
  api,
  contosoRequest,
  hasStatus,
  waitForPartnership,
  WORLD,
  wrongPairingCode,
  useDeployments,
  type ApiResult,
  type LocalStack,
  type LocalStackDeployment,
} from './stack';

/** What a refusal looked like to the attacker. */
export interface AttackAnswer {
  status: number;
  code?: string;
  detail?: string;
}

export interface AttackOutcome {
  name: string;
  refused: boolean;
  answer: AttackAnswer;
  /** What changed that the attack must not change (empty when refused). */
  stateChanges: string[];
  /** Things the answer revealed that the deployment holds (empty when refused). */
  leaks: string[];
  /** Why it does not count as refused, when it does not. */
  failures: string[];
}

export type Scope = 'all' | 'custom';

export interface AttackRun {
  /** The answer the attacker got (or, for an attack on a whole exchange, what the admin is shown). */
  answer: ApiResult;
  /** Values this answer must not contain, besides what the deployments hold. */
  secrets?: string[];
  /** Scope `custom`: what changed that must not have (no key trusted, no approval, tenants as before). */
  changes?: string[];
  /** Other reasons the attack was not refused as it should be. */
  failures?: string[];
}

export interface Attack {
  name: string;
  /** One sentence: what the attacker tries. */
  description: string;
  /** The answer that means "refused". */
  expect: { status: number; code: string };
  scope: Scope;
  /** The scene set up before the state is read (its setup is not the attack's doing). */
  scene?: 'awaiting' | 'unreachable';
  /** Who gets the answer: an anonymous caller (default) must learn nothing the deployment holds; an admin may see statuses. */
  audience?: 'anonymous' | 'admin';
  run(lab: SecurityLab): Promise<AttackRun>;
}

/** The two deployments, the keys the attacker plays with, and the scenes attacks run in. */
export class SecurityLab {
  readonly ignored: string[] = [];
  private awaitingScene?: Promise<AwaitingScene>;
  private unreachableScene?: Promise<AwaitingScene>;
  private keysReady?: Promise<{ contoso: DeploymentKey; china: DeploymentKey; stranger: DeploymentKey }>;

  constructor(readonly stack: LocalStack) {}

  get contoso(): LocalStackDeployment {
    return this.stack.deployment('Contoso');
  }

  get china(): LocalStackDeployment {
    return this.stack.deployment('China');
  }

  /**
   * The deployments' own keys (to replay old genuine messages) and a stranger's key. An attacker
   * has only the stranger's: attacks signed with a deployment's key test the checks after the key.
   */
  keys(): Promise<{ contoso: DeploymentKey; china: DeploymentKey; stranger: DeploymentKey }> {
    this.keysReady ??= (async () => ({
      contoso: await new FileDeploymentKeyStore({ path: this.contoso.keyFile }).getDeploymentKey(),
      china: await new FileDeploymentKeyStore({ path: this.china.keyFile }).getDeploymentKey(),
      stranger: (await generateDeploymentKey()).key,
    }))();
    return this.keysReady;
  }

  /** Contoso invited China; China holds it as Draft; Contoso pinned China's key from its URL and waits. */
  awaiting(): Promise<AwaitingScene> {
    this.awaitingScene ??= this.request(contosoRequest(this.stack), true);
    return this.awaitingScene;
  }

  /**
   * Contoso invited China at an address where nothing answers (out of band): nothing vouches for
   * China's key at Contoso yet, and the invitation never reached China.
   */
  unreachable(): Promise<AwaitingScene> {
    this.unreachableScene ??= this.request(contosoRequest(this.stack, { partnerDeploymentUrl: 'https://127.0.0.1:9' }), false);
    return this.unreachableScene;
  }

  /** A fresh partnership Contoso → China, both waiting (for attacks that end it). */
  fresh(): Promise<AwaitingScene> {
    return this.request(contosoRequest(this.stack), true);
  }

  private async request(body: Record<string, unknown>, reachable: boolean): Promise<AwaitingScene> {
    const created = await api(this.contoso, 'POST', '/api/partnerships', { body });
    if (created.status !== 202) throw new Error(`The scene's partnership was refused: ${created.status} ${created.text}`);
    const id: string = created.body.id;
    if (reachable) {
      await waitForPartnership(this.china, id, hasStatus('Draft'));
      await waitForPartnership(this.contoso, id, (p) => p.steps.some((step: { message: string }) => step.message.startsWith('Invitation delivered')));
    } else {
      await waitForPartnership(this.contoso, id, (p) => p.status === 'AwaitingPartner' && p.steps.some((step: { message: string }) => /could not be fetched/.test(step.message)));
      // Contoso keeps retrying the delivery in the background: its rows are not the attack's doing.
      this.ignored.push(id);
    }
    const invitation = (await api(this.contoso, 'GET', `/api/partnerships/${id}/invitation`)).text;
    const claims = JSON.parse(Buffer.from(invitation.split('.')[1], 'base64url').toString()) as Record<string, any>;
    return { id, pairingCode: created.body.pairingCode, invitation, claims };
  }

  async snapshot(): Promise<StackState> {
    return stackState(this.stack, { ignorePartnerships: this.ignored });
  }

  /** A confirmation from China answering the scene's invitation (the public jti), with overrides. */
  confirmation(scene: AwaitingScene, overrides: Record<string, unknown> = {}): HandshakeMessageDraft {
    return {
      type: 'confirmation',
      iss: WORLD.china,
      aud: WORLD.contoso,
      partnershipId: scene.id,
      inResponseTo: scene.claims.jti,
      sender: { tenantId: WORLD.china, cloud: 'China', deploymentUrl: this.china.baseUrl, verifiedDomains: ['woodgrove.cn', 'contoso.com'] },
      configured: { partnerTenantId: WORLD.contoso, partnerCloud: 'Global', partnerDeploymentUrl: this.contoso.baseUrl },
      ...overrides,
    } as HandshakeMessageDraft;
  }

  /** A rejection from China answering the scene's invitation. */
  rejection(scene: AwaitingScene): HandshakeMessageDraft {
    const { configured: _configured, ...answer } = this.confirmation(scene) as Extract<HandshakeMessageDraft, { type: 'confirmation' }>;
    return { ...answer, type: 'rejection', reason: 'Cancelled.' };
  }

  /** An invitation like the scene's, with overrides (the attacker copies what it saw). */
  invitationLike(scene: AwaitingScene, overrides: Record<string, unknown> = {}): HandshakeMessageDraft {
    const { jti: _jti, iat: _iat, exp: _exp, ...claims } = scene.claims;
    return { ...claims, ...overrides } as HandshakeMessageDraft;
  }

  /** What the attacker sent during the current attack (decoded): it may be echoed back. */
  private sent: string[] = [];

  async deliver(to: LocalStackDeployment, jws: string): Promise<ApiResult> {
    this.sent.push(jws, ...jws.split('.').slice(0, 2).map((part) => Buffer.from(part, 'base64url').toString('utf8')));
    return api(to, 'POST', '/api/handshake/messages', { body: jws, contentType: 'application/jose', key: 'none' });
  }

  /** Runs one attack: state before, the attack, state after; refused when answer and state say so. */
  async attempt(attack: Attack): Promise<AttackOutcome> {
    if (attack.scene === 'awaiting') await this.awaiting();
    if (attack.scene === 'unreachable') await this.unreachable();
    const before = await this.snapshot();
    this.sent = [];
    const run = await attack.run(this);
    const { answer, secrets = [] } = run;
    const changes = attack.scope === 'all' ? stateChanges(before, await this.snapshot()) : (run.changes ?? []);
    const body = (answer.body ?? {}) as { code?: string; detail?: string };
    const failures: string[] = [...(run.failures ?? [])];
    if (answer.status !== attack.expect.status || body.code !== attack.expect.code) {
      failures.push(`answered ${answer.status} ${body.code ?? answer.text.slice(0, 200)}, expected ${attack.expect.status} ${attack.expect.code}`);
    }
    if (answer.status < 400 || answer.headers.get('content-type') !== 'application/problem+json') failures.push('the refusal is not problem+json');
    const held = heldSecrets(before, attack.audience ?? 'anonymous');
    const leaks = [...new Set([...secrets, ...held])]
      .filter((secret) => secret && answer.text.includes(secret) && !this.sent.some((text) => text.includes(secret.trim().replace(/"/g, ''))))
      .map((secret) => `the answer names ${secret.trim()}`);
    failures.push(...changes.map((change) => `changed: ${change}`), ...leaks);
    return {
      name: attack.name,
      refused: failures.length === 0,
      answer: { status: answer.status, ...(body.code ? { code: body.code } : {}), ...(body.detail ? { detail: body.detail } : {}) },
      stateChanges: changes,
      leaks,
      failures,
    };
  }
}

export interface AwaitingScene {
  id: string;
  pairingCode: string;
  /** The signed invitation: public (it travels out of band, the status APIs show its jti). */
  invitation: string;
  claims: Record<string, any>;
}

/**
 * What the deployments hold that a refusal must never name: trusted key thumbprints, pairing codes,
 * statuses of existing partnerships, secrets in settings (read from the state before the attack).
 */
function heldSecrets(state: StackState, audience: 'anonymous' | 'admin'): string[] {
  const secrets: string[] = [];
  for (const deployment of Object.values(state)) {
    for (const row of deployment.tables.Keys) if (audience === 'anonymous') secrets.push(String(row.thumbprint));
    for (const row of deployment.tables.Partnerships) {
      if (audience === 'anonymous') secrets.push(`"${String(row.status)}"`, ` ${String(row.status)} `, ` ${String(row.status)}.`);
      try {
        const data = JSON.parse(String(row.data ?? '{}')) as { pairingCode?: string };
        if (data.pairingCode) secrets.push(data.pairingCode);
      } catch {
        // not JSON: nothing to add
      }
    }
  }
  return secrets;
}

const sign = async (draft: HandshakeMessageDraft, key: DeploymentKey, options: { now?: number; lifetimeSeconds?: number; jti?: string } = {}): Promise<string> =>
  (await signHandshakeMessage(draft, { key, ...options })).jws;

/** Message-level attacks while Contoso waits for China's answer (China's key pinned from its URL). */
export const MESSAGE_ATTACKS: Attack[] = [
  {
    name: 'forged signature',
    description: "The invitation's payload is changed (another guest) and sent with the original signature.",
    expect: { status: 401, code: 'handshake.bad-signature' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const [header, payload, signature] = scene.invitation.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      claims.collaboration.guests = ['zhang.min@woodgrove.cn'];
      return { answer: await lab.deliver(lab.china, [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')) };
    },
  },
  {
    name: 'replayed nonce',
    description: "A message reusing the invitation's jti with other content (signed with A's own key).",
    expect: { status: 409, code: 'handshake.replay' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft = lab.invitationLike(scene, { collaboration: { ...scene.claims.collaboration, guests: [] } });
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).contoso, { jti: scene.claims.jti })) };
    },
  },
  {
    name: 'wrong audience',
    description: 'A genuine-looking invitation addressed to another tenant (Fabrikam) is delivered to China.',
    expect: { status: 401, code: 'handshake.wrong-audience' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft = lab.invitationLike(scene, { aud: WORLD.fabrikam, partnershipId: `p-${newNonce().slice(0, 12)}` });
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).contoso)), secrets: [WORLD.china] };
    },
  },
  {
    name: 'expired message',
    description: "An old confirmation (signed with China's real key) replayed after its expiry.",
    expect: { status: 401, code: 'handshake.expired' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const jws = await sign(lab.confirmation(scene), (await lab.keys()).china, { now: Date.now() - 2 * 86_400_000, lifetimeSeconds: 3_600 });
      return { answer: await lab.deliver(lab.contoso, jws) };
    },
  },
  {
    name: 'message from the future',
    description: 'A confirmation issued ten minutes ahead (beyond the allowed clock skew).',
    expect: { status: 401, code: 'handshake.not-yet-valid' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.confirmation(scene), (await lab.keys()).china, { now: Date.now() + 10 * 60_000 })) };
    },
  },
  {
    name: 'wrong issuer',
    description: 'A confirmation from Fabrikam (its own key) answering the invitation that went to China.',
    expect: { status: 401, code: 'handshake.unexpected-issuer' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft = lab.confirmation(scene, {
        iss: WORLD.fabrikam,
        sender: { tenantId: WORLD.fabrikam, cloud: 'Global', deploymentUrl: lab.china.baseUrl, verifiedDomains: ['fabrikam.com'] },
      });
      // The expected partner (China) must not be named.
      return { answer: await lab.deliver(lab.contoso, await sign(draft, (await lab.keys()).stranger)), secrets: [WORLD.china] };
    },
  },
  {
    name: "stranger's key with the right issuer",
    description: "A confirmation claiming to be China's, answering the public jti, signed with the attacker's key.",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.confirmation(scene), (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'forged rejection',
    description: "A rejection claiming to be China's, signed with the attacker's key, to cancel a genuine onboarding.",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.rejection(scene), (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'key substitution',
    description: "A's invitation re-signed with the attacker's key (same claims, same commitment), delivered to China.",
    expect: { status: 409, code: 'handshake.replay' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.china, await sign(lab.invitationLike(scene), (await lab.keys()).stranger, { jti: scene.claims.jti })) };
    },
  },
  {
    name: 'message under a presented, unapproved key',
    description: "A `ready` signed with A's real key before China's admin approved (the key is only presented).",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.china, await sign({ type: 'ready', iss: WORLD.contoso, aud: WORLD.china, partnershipId: scene.id }, (await lab.keys()).contoso)) };
    },
  },
  {
    name: 'forged offboarding',
    description: "An offboard message claiming to be Contoso's, signed with the attacker's key.",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.china, await sign({ type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: scene.id }, (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'answer to an unknown partnership',
    description: 'A confirmation for a partnership id Contoso never created.',
    expect: { status: 409, code: 'handshake.no-outstanding-invitation' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.confirmation(scene, { partnershipId: `p-${newNonce().slice(0, 12)}` }), (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'plain-http callback',
    description: 'An invitation whose answers would go to plain http on a loopback address (outside development).',
    expect: { status: 400, code: 'handshake.malformed' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const url = 'http://127.0.0.1:9';
      const draft = lab.invitationLike(scene, {
        partnershipId: `p-${newNonce().slice(0, 12)}`,
        sender: { ...scene.claims.sender, deploymentUrl: url },
        callbackUrl: `${url}/api/handshake/messages`,
      });
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'oversized message',
    description: 'A body of 64 KB + 1 byte.',
    expect: { status: 413, code: 'request.too-large' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      await lab.awaiting();
      return { answer: await lab.deliver(lab.china, 'x'.repeat(64 * 1024 + 1)) };
    },
  },
  {
    name: 'malformed message',
    description: 'Something that is not a compact JWS.',
    expect: { status: 400, code: 'handshake.malformed' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      await lab.awaiting();
      return { answer: await lab.deliver(lab.china, 'not.a-message') };
    },
  },
];

/** Contoso could not reach China: nothing vouches for China's key yet. The public jti is all an attacker needs to try. */
export const UNAUTHENTICATED_KEY_ATTACKS: Attack[] = [
  {
    name: 'forged confirmation with the public jti',
    description: "China could not be reached (no key fetched); the attacker answers the public jti with its own key and no proof.",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'unreachable',
    async run(lab) {
      const scene = await lab.unreachable();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.confirmation(scene), (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'forged confirmation with a made-up key proof',
    description: 'The same, with a key proof computed from a guessed pairing code.',
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'unreachable',
    async run(lab) {
      const scene = await lab.unreachable();
      const { stranger } = await lab.keys();
      const keyProof = pairingKeyProof(wrongPairingCode(scene.pairingCode), {
        partnershipId: scene.id,
        invitationJti: scene.claims.jti,
        initiatorTenantId: WORLD.contoso,
        responderTenantId: WORLD.china,
        keyThumbprint: stranger.kid,
      });
      return { answer: await lab.deliver(lab.contoso, await sign(lab.confirmation(scene, { keyProof }), stranger)) };
    },
  },
  {
    name: 'forged rejection without a trusted key',
    description: 'A rejection answering the public jti while nothing vouches for any China key: it must not cancel the onboarding.',
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'unreachable',
    async run(lab) {
      const scene = await lab.unreachable();
      return { answer: await lab.deliver(lab.contoso, await sign(lab.rejection(scene), (await lab.keys()).stranger)) };
    },
  },
  {
    name: 'key substitution before delivery',
    description:
      "The attacker carries A's out-of-band invitation to China first, re-signed with its own key (same commitment); China's admin enters A's code: it does not open the commitment.",
    expect: { status: 401, code: 'handshake.bad-pairing-code' },
    scope: 'custom',
    audience: 'admin',
    scene: 'unreachable',
    async run(lab) {
      const scene = await lab.unreachable();
      const { stranger } = await lab.keys();
      const before = await lab.snapshot();
      const substituted = await sign(lab.invitationLike(scene), stranger, { jti: scene.claims.jti });
      const delivered = await lab.deliver(lab.china, substituted);
      // An anonymous invitation is held as a Draft with its key untrusted: that much anyone can do.
      const failures = delivered.status === 202 ? [] : [`the substituted invitation was answered ${delivered.status} ${delivered.text.slice(0, 200)}`];
      const answer = await api(lab.china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: scene.pairingCode } });
      const held = (await api(lab.china, 'GET', `/api/partnerships/${scene.id}`)).body;
      if (held.status !== 'Draft' || held.keys?.partner) failures.push(`China's partnership is ${held.status}, trusting ${held.keys?.partner?.thumbprint ?? 'no key'}`);
      return { answer, failures, changes: trustChanges(before, await lab.snapshot()) };
    },
  },
];

/**
 * `offboard` messages an attacker would use to end a partnership it is not part of, aimed at China
 * while it holds Contoso's invitation (an `offboard` signed with the invitation's key would withdraw
 * it): each must be refused and change nothing. The forgery under a stranger's key is
 * MESSAGE_ATTACKS' "forged offboarding".
 */
export const OFFBOARD_ATTACKS: Attack[] = [
  {
    name: 'replayed offboard (nonce already used)',
    description: "An offboard signed with Contoso's real key, reusing a nonce China has seen (the invitation's jti).",
    expect: { status: 409, code: 'handshake.replay' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft: HandshakeMessageDraft = { type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: scene.id };
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).contoso, { jti: scene.claims.jti })) };
    },
  },
  {
    name: 'replayed offboard (expired)',
    description: "A genuine offboard of Contoso's (its real key) captured two days ago and delivered now.",
    expect: { status: 401, code: 'handshake.expired' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft: HandshakeMessageDraft = { type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: scene.id };
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).contoso, { now: Date.now() - 2 * 86_400_000, lifetimeSeconds: 3_600 })) };
    },
  },
  {
    name: 'unsigned offboard',
    description: 'An offboard claiming to be Contoso\'s with `"alg": "none"` and no signature.',
    expect: { status: 401, code: 'handshake.bad-signature' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const { contoso } = await lab.keys();
      const now = Math.floor(Date.now() / 1000);
      const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const header = part({ alg: 'none', typ: HANDSHAKE_JWS_TYPE, kid: contoso.kid });
      const payload = part({ type: 'offboard', iss: WORLD.contoso, aud: WORLD.china, partnershipId: scene.id, jti: newNonce(), iat: now, exp: now + 600 });
      // A compact JWS has three parts: the empty signature is sent as one character.
      return { answer: await lab.deliver(lab.china, `${header}.${payload}.A`) };
    },
  },
  {
    name: 'offboard of a partnership another tenant owns',
    description: "Fabrikam, signing with its own key, sends China an offboard for China's partnership with Contoso: no Fabrikam key is trusted for it.",
    expect: { status: 401, code: 'handshake.unknown-key' },
    scope: 'all',
    scene: 'awaiting',
    async run(lab) {
      const scene = await lab.awaiting();
      const draft: HandshakeMessageDraft = { type: 'offboard', iss: WORLD.fabrikam, aud: WORLD.china, partnershipId: scene.id };
      // The partner China expects (Contoso) must not be named.
      return { answer: await lab.deliver(lab.china, await sign(draft, (await lab.keys()).stranger)), secrets: [WORLD.contoso] };
    },
  },
];

/** Five wrong codes refuse the invitation for good; A learns why (signed rejection under China's pinned key). */
export const BRUTE_FORCE_ATTACK: Attack = {
  name: 'brute-forced pairing code',
  description: 'Wrong pairing codes at China until it refuses the invitation (5 tries); then even the right code is refused.',
  expect: { status: 409, code: 'partnership.illegal-transition' },
  scope: 'custom',
  audience: 'admin',
  async run(lab) {
    const baseline = await lab.snapshot();
    const scene = await lab.fresh();
    const waiting = await lab.snapshot();
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = await api(lab.china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: wrongPairingCode(scene.pairingCode, attempt) } });
      if (wrong.status !== 401 || wrong.body?.attemptsLeft !== 5 - attempt) failures.push(`try ${attempt}: ${wrong.status} ${wrong.text.slice(0, 200)}`);
    }
    const answer = await api(lab.china, 'POST', `/api/partnerships/${scene.id}/approve`, { body: { pairingCode: scene.pairingCode } });
    // China refuses for good and tells Contoso, which accepts the rejection under China's pinned key and undoes its side.
    const a = await waitForPartnership(lab.contoso, scene.id, (p) => hasStatus('Rejected', 'Expired', 'Failed', 'Active')(p) && p.steps.at(-1)?.status !== undefined);
    const b = await waitForPartnership(lab.china, scene.id, (p) => p.steps.some((step: { type: string }) => step.type === 'message.sent' || step.type === 'warning'));
    if (b.status !== 'Rejected' || b.keys?.partner) failures.push(`China ended ${b.status}, trusting ${b.keys?.partner?.thumbprint ?? 'no key'}`);
    if (a.status !== 'Rejected' || !/entered wrongly 5 times/.test(JSON.stringify(a.steps))) failures.push(`Contoso ended ${a.status} without being told why`);
    const after = await lab.snapshot();
    // No key trusted by the tries; both tenants as before the request (Contoso undid its Entra side).
    const changes = [...keyChanges(waiting, after), ...tenantChanges(baseline, after)];
    if (changes.length > 0) failures.push(`Contoso's steps: ${a.steps.map((step: { message: string }) => step.message).join(' | ')}`);
    return { answer, failures, changes };
  },
};

/** Partner URLs that redirect: a deployment never follows them (SSRF). Two attacks, one exchange. */
export function redirectAttacks(): { attacks: Attack[]; stop: () => Promise<void> } {
  let redirector: Promise<Redirector> | undefined;
  let exchange: Promise<{ final: any; changes: string[] }> | undefined;
  const play = (lab: SecurityLab) => {
    redirector ??= startRedirector();
    exchange ??= (async () => {
      const server = await redirector!;
      const before = await lab.snapshot();
      const created = await api(lab.contoso, 'POST', '/api/partnerships', { body: contosoRequest(lab.stack, { partnerDeploymentUrl: server.url }) });
      if (created.status !== 202) throw new Error(`The request was refused: ${created.status} ${created.text}`);
      const final = await waitForPartnership(lab.contoso, created.body.id, (p) => hasStatus('Failed', 'Active', 'Expired', 'Rejected')(p) && p.steps.at(-1)?.status !== undefined);
      // Nothing pinned, both tenants as before (Contoso undid its Entra side); the target never called.
      const changes = trustChanges(before, await lab.snapshot());
      if (server.targetHits() > 0) changes.push(`the redirect target was called ${server.targetHits()} time(s)`);
      return { final, changes };
    })();
    return exchange;
  };
  const attacks: Attack[] = [
    {
      name: 'redirect on the JWKS fetch',
      description: "The partner URL answers the key fetch with a redirect to an internal address: not followed, nothing pinned.",
      expect: { status: 502, code: 'handshake.partner-refused' },
      scope: 'custom',
      audience: 'admin',
      async run(lab) {
        const { final, changes } = await play(lab);
        const step = final.steps.find((candidate: { message: string }) => /could not be fetched/.test(candidate.message));
        const refused = Boolean(step && /redirect/.test(step.message));
        return { answer: shownToAdmin(refused ? 502 : 200, 'handshake.partner-refused', step?.message ?? 'no warning step'), changes };
      },
    },
    {
      name: 'redirect on message delivery',
      description: 'The partner URL answers the invitation with a redirect: not followed; Contoso ends Failed and undoes its side.',
      expect: { status: 502, code: 'handshake.partner-refused' },
      scope: 'custom',
      audience: 'admin',
      async run(lab) {
        const { final, changes } = await play(lab);
        const error = final.lastError ?? {};
        const refused = final.status === 'Failed' && /redirect/.test(error.message ?? '');
        return { answer: shownToAdmin(refused ? 502 : 200, error.code ?? 'none', error.message ?? ''), changes };
      },
    },
  ];
  return { attacks, stop: async () => void (redirector ? await (await redirector).stop() : undefined) };
}

/** What an attack on a whole exchange ended as, as the admin sees it (a step or the last error), in problem+json form. */
function shownToAdmin(status: number, code: string, detail: string): ApiResult {
  const body = { status, code, detail };
  return { status, headers: new Headers({ 'content-type': 'application/problem+json' }), text: JSON.stringify(body), body };
}

/** Who the lying partner claims to be, what it declares, and what Contoso must end up using. */
export interface UntrustedDomainsCase {
  partner: 'China' | 'Fabrikam';
  /** Declared by the partner. */
  declared: string[];
  /** Written to Contoso's federation (verified). */
  used: string[];
  /** Declared but not verified: never written. */
  unverified: string[];
}

/** Across clouds: Contoso's admin vouched for Woodgrove's two domains only. */
export const CROSS_CLOUD_DOMAINS: UntrustedDomainsCase = {
  partner: 'China',
  declared: ['woodgrove.cn', 'fabrikam.com', 'contoso.com'],
  used: ['woodgrove.cn'],
  unverified: ['fabrikam.com', 'contoso.com'],
};

/** Within Global: Graph resolves fabrikam.com to Fabrikam; contoso.com is Contoso's, woodgrove.cn is invisible from Global. */
export const SAME_CLOUD_DOMAINS: UntrustedDomainsCase = {
  partner: 'Fabrikam',
  declared: ['fabrikam.com', 'contoso.com', 'woodgrove.cn'],
  used: ['fabrikam.com'],
  unverified: ['contoso.com', 'woodgrove.cn'],
};

/**
 * A partner that declares domains that are not its own (played by a fake partner deployment the
 * admin was told about, so its key is the one trusted): only the domains verified (Graph, same
 * cloud) or vouched for by the admin are written to Teams federation; the others are listed as
 * unverified and never written.
 */
export function untrustedDomainsAttack(spec: UntrustedDomainsCase = CROSS_CLOUD_DOMAINS): { attack: Attack; stop: () => Promise<void>; partnershipId: () => string } {
  let partner: Promise<FakePartner> | undefined;
  let keyReady: Promise<DeploymentKey> | undefined;
  let id = '';
  const partnerTenant = spec.partner === 'China' ? WORLD.china : WORLD.fabrikam;
  const attack: Attack = {
    name: 'untrusted partner domains',
    description: `A partner (its key pinned from the URL the admin typed) declares ${spec.unverified.join(' and ')} besides its own domains: they are not written to Teams federation.`,
    expect: { status: 409, code: 'partner-domain.unverified' },
    scope: 'custom',
    audience: 'admin',
    async run(lab) {
      keyReady ??= generateDeploymentKey().then((generated) => generated.key);
      const key = await keyReady;
      partner ??= startFakePartner(key);
      // Contoso limits federation to a list (an open federation is never narrowed by adding domains).
      await lab.stack.simulator.control.admin(WORLD.contoso, {
        service: 'teams',
        method: 'PUT',
        path: '/Skype.Policy/configurations/TenantFederationSettings/configuration/Global',
        body: { Identity: 'Global', AllowFederatedUsers: true, AllowedDomains: ['adatum.com'], BlockedDomains: [], AllowTeamsConsumer: false },
      });
      const fake = await partner;
      const request =
        spec.partner === 'China'
          ? contosoRequest(lab.stack, { partnerDeploymentUrl: fake.url, guests: [], partnerGuests: [] })
          : {
              partnerTenantId: WORLD.fabrikam,
              partnerCloud: 'Global',
              partnerDeploymentUrl: fake.url,
              b2bCollaboration: { inbound: { users: 'all' }, outbound: { users: 'all' } },
              teams: { federation: true },
            };
      const created = await api(lab.contoso, 'POST', '/api/partnerships', { body: request });
      if (created.status !== 202) throw new Error(`The request was refused: ${created.status} ${created.text}`);
      id = created.body.id;
      const invitation = await fake.waitFor('invitation');
      const confirmation = await sign(
        {
          ...lab.confirmation({ id, claims: invitation.claims, pairingCode: '', invitation: invitation.jws }),
          iss: partnerTenant,
          sender: { tenantId: partnerTenant, cloud: spec.partner, deploymentUrl: fake.url, verifiedDomains: spec.declared },
          configured: { partnerTenantId: WORLD.contoso, partnerCloud: 'Global', partnerDeploymentUrl: lab.contoso.baseUrl },
        } as HandshakeMessageDraft,
        key,
      );
      const accepted = await lab.deliver(lab.contoso, confirmation);
      const failures = accepted.status === 202 ? [] : [`the liar's confirmation was answered ${accepted.status} ${accepted.text.slice(0, 200)}`];
      await fake.waitFor('ready', 120_000);
      await lab.deliver(lab.contoso, await sign({ type: 'ready', iss: partnerTenant, aud: WORLD.contoso, partnershipId: id }, key));
      const final = await waitForPartnership(lab.contoso, id, hasStatus('Active', 'Failed'));
      const federation = (await lab.stack.simulator.control.state(WORLD.contoso)).teams.TenantFederationSettings as { AllowedDomains?: unknown } | undefined;
      const written = JSON.stringify(federation?.AllowedDomains ?? []);
      const changes = spec.unverified.filter((domain) => written.includes(`"${domain}"`)).map((domain) => `${domain} was written to Contoso's federation`);
      if (final.status !== 'Active' || !spec.used.every((domain) => written.includes(`"${domain}"`))) failures.push(`Contoso ended ${final.status} with federation ${written}`);
      const unverified = (final.partnerDomains ?? []).filter((domain: { status: string }) => domain.status === 'unverified').map((domain: { domain: string }) => domain.domain);
      const step = final.steps.find((candidate: { message: string }) => /Not verified, so not written/.test(candidate.message));
      const refused = spec.unverified.every((domain) => unverified.includes(domain)) && step !== undefined;
      return { answer: shownToAdmin(refused ? 409 : 200, 'partner-domain.unverified', step?.message ?? 'no warning step'), changes, failures };
    },
  };
  return { attack, stop: async () => void (partner ? await (await partner).stop() : undefined), partnershipId: () => id };
}

/** Contoso (Global) and Woodgrove China (21Vianet) on a local stack, and a lab over them (call inside describe). */
export function useSecurityLab(): () => SecurityLab {
  const { stack } = useDeployments({ Contoso: WORLD.contoso, China: WORLD.china });
  let lab: SecurityLab | undefined;
  return () => (lab ??= new SecurityLab(stack()));
}

/** The jest assertions of one refused attack: the expected refusal, nothing changed, nothing revealed. */
export function expectRefused(outcome: AttackOutcome, attack: Attack): void {
  expect({ name: outcome.name, ...outcome.answer }).toMatchObject({ name: attack.name, ...attack.expect });
  expect({ stateChanges: outcome.stateChanges, leaks: outcome.leaks, failures: outcome.failures }).toEqual({ stateChanges: [], leaks: [], failures: [] });
  expect(outcome.refused).toBe(true);
}

/** The attacks named, from a catalogue (a typo fails loudly). */
export function pick(catalogue: readonly Attack[], ...names: string[]): Attack[] {
  return names.map((name) => {
    const attack = catalogue.find((candidate) => candidate.name === name);
    if (!attack) throw new Error(`No attack named "${name}"`);
    return attack;
  });
}
