// Cross-tenant synchronisation objects, enough for the configuration sequence of
// microsoft-facts.md: instantiate the sync application template (application + service
// principal), list/get/patch/delete service principals, the `Azure2Azure` job template, jobs,
// secrets (CompanyId = target tenant, AuthenticationType = SyncPolicy), validateCredentials,
// start, and provisionOnDemand, which creates the B2B user (external member) in the target.
// The configuration's scope is its appRoleAssignedTo (users and groups assigned to the service
// principal, as the admin center's "Users and groups"): once anything is assigned, only assigned
// users and direct members of assigned groups are provisioned (NotEffectivelyEntitled otherwise).
// The job APIs are not available in the China cloud; into China (Global → China) the target
// side cannot be checked and is refused as *unconfirmed*; the other directions follow maySync.
import { createHash, randomUUID } from 'node:crypto';
import { CLOUD_TABLE, environmentOf, isCrossCloud, maySync, supportsIdentitySynchronization } from '../clouds';
import { badRequest, GraphError, resourceNotFound, unknownSegment } from '../errors';
import { created, GraphCall, GraphRoute, noContent, ok } from '../graph/types';
import { project } from '../odata';
import { PERMISSIONS } from '../permissions';
import { applicationObject, GraphObject, initialDomainOfState, JsonObject, newUser, servicePrincipalObject, TenantState } from '../state';
import { listObjects, selected } from './directoryQuery';
import { newAppRoleAssignment } from './firstParty';

/** Application template "Azure AD cross-tenant synchronization" (Graph docs: configure cross-tenant sync). */
export const CROSS_TENANT_SYNC_TEMPLATE_ID = '518e5f48-1fc8-4c48-9387-9fdf28b0dfe7';
export const SYNC_JOB_TEMPLATE = 'Azure2Azure';

const SP = '/servicePrincipals/{servicePrincipal-id}';
const JOBS = `${SP}/synchronization/jobs`;
const JOB = `${JOBS}/{synchronizationJob-id}`;

function requireSyncApi(call: GraphCall, segment: string): void {
  if (!supportsIdentitySynchronization(call.cloud)) {
    throw unknownSegment(segment, `Synchronization jobs are not available in the ${call.cloud} cloud (operated by 21Vianet).`);
  }
}

function spOr404(call: GraphCall): GraphObject {
  const id = call.params['servicePrincipal-id'];
  const sp = call.tenant.servicePrincipals[id] ?? Object.values(call.tenant.servicePrincipals).find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!sp) throw resourceNotFound(id);
  return sp;
}

function jobOr404(call: GraphCall, sp: GraphObject): GraphObject {
  const id = call.params['synchronizationJob-id'];
  const job = call.tenant.syncJobs[sp.id]?.[id];
  if (!job) throw resourceNotFound(id);
  return job;
}

function hex(): string {
  return randomUUID().replace(/-/g, '');
}

function instantiate(call: GraphCall) {
  const templateId = call.params['applicationTemplate-id'].toLowerCase();
  if (templateId !== CROSS_TENANT_SYNC_TEMPLATE_ID) throw resourceNotFound(call.params['applicationTemplate-id']);
  const displayName = String((call.body as JsonObject | undefined)?.displayName ?? 'Cross-tenant synchronization');
  const appId = randomUUID();
  const application = applicationObject(randomUUID(), appId, displayName, {
    applicationTemplateId: templateId,
    publisherDomain: initialDomainOfState(call.tenant),
  });
  const servicePrincipal: GraphObject = {
    ...servicePrincipalObject(randomUUID(), appId, displayName, call.tenant.id),
    applicationTemplateId: templateId,
    tags: ['WindowsAzureActiveDirectoryIntegratedApp', 'WindowsAzureActiveDirectoryCustomSingleSignOnApplication'],
  };
  call.tenant.applications[application.id] = application;
  call.tenant.servicePrincipals[servicePrincipal.id] = servicePrincipal;
  return created({ '@odata.context': `${call.graphBase}/$metadata#microsoft.graph.applicationServicePrincipal`, application, servicePrincipal });
}

function secretsOf(call: GraphCall, sp: GraphObject): Map<string, string> {
  return new Map((call.tenant.syncSecrets[sp.id] ?? []).map((entry) => [entry.key, entry.value]));
}

interface SyncTarget {
  target: TenantState;
}

/** The checks validateCredentials, start and provisionOnDemand share (400 with a clear reason). */
function resolveTarget(call: GraphCall, credentials: Map<string, string>): SyncTarget {
  const companyId = credentials.get('CompanyId');
  if (!companyId) throw badRequest('Credentials are incomplete: CompanyId (the target tenant id) is required. Set it with PUT .../synchronization/secrets.');
  const authenticationType = credentials.get('AuthenticationType');
  if (authenticationType !== undefined && authenticationType !== 'SyncPolicy') {
    throw badRequest(`AuthenticationType must be 'SyncPolicy' for cross-tenant synchronization (got '${authenticationType}').`);
  }
  const source = call.tenant;
  const target = call.engine.tenant(companyId);
  if (!target) throw badRequest(`The target tenant '${companyId}' (CompanyId) was not found.`);
  if (target === source) throw badRequest('The target tenant of cross-tenant synchronization must be another tenant.');
  if (!maySync(source.cloud, target.cloud)) {
    throw badRequest(`Cross-tenant synchronization from the ${source.cloud} cloud to the ${target.cloud} cloud is not supported.`);
  }
  if (environmentOf(target.cloud) === 'China' && environmentOf(source.cloud) !== 'China') {
    throw badRequest(
      `Synchronization into the China cloud cannot be verified: the target tenant's inbound sync settings (identitySynchronization) do not exist in 21Vianet (unconfirmed). Configure that side manually and verify the result.`,
    );
  }
  if (isCrossCloud(source.cloud, target.cloud)) {
    const targetEndpoint = CLOUD_TABLE[target.cloud].cloudEndpoint;
    const sourceEndpoint = CLOUD_TABLE[source.cloud].cloudEndpoint;
    if (!source.policy.allowedCloudEndpoints.includes(targetEndpoint) || !source.partners[target.id.toLowerCase()]) {
      throw badRequest(`The source tenant must enable the ${target.cloud} cloud ('${targetEndpoint}') and add the target tenant ${target.id} as a partner.`);
    }
    if (!target.policy.allowedCloudEndpoints.includes(sourceEndpoint)) {
      throw badRequest(`The target tenant has not enabled the ${source.cloud} cloud ('${sourceEndpoint}').`);
    }
  }
  const partner = target.partners[source.id.toLowerCase()];
  const sync = target.identitySync[source.id.toLowerCase()];
  if (!partner || (sync?.userSyncInbound as JsonObject | null | undefined)?.isSyncAllowed !== true) {
    throw badRequest(`The target tenant ${target.id} does not allow users to be synchronized from ${source.id} (identitySynchronization.userSyncInbound.isSyncAllowed).`);
  }
  return { target };
}

function autoRedemption(source: TenantState, target: TenantState): boolean {
  const outbound = (source.partners[target.id.toLowerCase()]?.automaticUserConsentSettings as JsonObject | null | undefined)?.outboundAllowed;
  const inbound = (target.partners[source.id.toLowerCase()]?.automaticUserConsentSettings as JsonObject | null | undefined)?.inboundAllowed;
  return outbound === true && inbound === true;
}

function validateCredentials(call: GraphCall) {
  requireSyncApi(call, 'validateCredentials');
  const sp = spOr404(call);
  jobOr404(call, sp);
  const body = (call.body as JsonObject | undefined) ?? {};
  const credentials = secretsOf(call, sp);
  if (Array.isArray(body.credentials) && body.useSavedCredentials !== true) {
    for (const entry of body.credentials as Array<{ key: string; value: string }>) credentials.set(entry.key, entry.value);
  }
  resolveTarget(call, credentials);
  return noContent();
}

function provisionOnDemand(call: GraphCall) {
  requireSyncApi(call, 'provisionOnDemand');
  const sp = spOr404(call);
  jobOr404(call, sp);
  const { target } = resolveTarget(call, secretsOf(call, sp));
  const parameters = ((call.body as JsonObject).parameters as Array<{ subjects?: Array<{ objectId: string; objectTypeName: string }> }> | undefined) ?? [];
  const subjects = parameters.flatMap((parameter) => parameter.subjects ?? []);
  if (subjects.length !== 1) throw badRequest(`provisionOnDemand takes exactly one subject in the simulator (got ${subjects.length}).`);
  const subject = subjects[0];
  if (subject.objectTypeName.toLowerCase() !== 'user') throw badRequest(`Only users can be provisioned on demand (got '${subject.objectTypeName}').`);
  const sourceUser = call.directory.findUser(subject.objectId);
  if (!sourceUser) throw resourceNotFound(subject.objectId);

  const started = new Date().toISOString();
  const targetDirectory = call.engine.directory(target);
  const upn = `${String(sourceUser.userPrincipalName).replace('@', '_')}#EXT#@${initialDomainOfState(target)}`;
  const existing = targetDirectory.findUser(upn);
  let result: JsonObject;
  let targetId: string | null = existing?.id ?? null;
  let action = 'Other';
  if (!inScope(call.tenant, sp, String(sourceUser.id))) {
    result = {
      result: 'Skipped',
      details: { errorCode: 'NotEffectivelyEntitled', errorMessage: 'The user is not in scope: neither assigned to the configuration nor a member of an assigned group.' },
    };
  } else if (existing) {
    result = { result: 'Skipped', details: { errorCode: 'RedundantExport', errorMessage: 'The state of the user in both the source and target systems already match.' } };
  } else if (!autoRedemption(call.tenant, target)) {
    result = {
      result: 'Failure',
      details: {
        errorCode: 'AutomaticUserConsentNotConfigured',
        errorMessage: 'Automatic redemption (automaticUserConsentSettings) must be allowed outbound by the source tenant and inbound by the target tenant.',
      },
    };
  } else {
    const user = targetDirectory.addUser(
      newUser({
        id: randomUUID(),
        userPrincipalName: upn,
        displayName: String(sourceUser.displayName),
        givenName: sourceUser.givenName ?? null,
        surname: sourceUser.surname ?? null,
        mail: sourceUser.mail ?? sourceUser.userPrincipalName,
        userType: 'Member',
        externalUserState: 'Accepted',
        externalUserStateChangeDateTime: started,
        mailNickname: String(sourceUser.mailNickname ?? sourceUser.userPrincipalName).split('@')[0],
        identities: [{ signInType: 'federated', issuer: 'ExternalAzureAD', issuerAssignedId: null }],
        otherMails: [String(sourceUser.mail ?? sourceUser.userPrincipalName)],
      }),
    );
    call.engine.markDirty();
    targetId = user.id;
    action = 'Create';
    result = { result: 'Success', details: {} };
  }
  const value = {
    action,
    changeId: randomUUID(),
    startTime: started,
    endTime: new Date().toISOString(),
    reportableIdentifier: sourceUser.userPrincipalName,
    sourceIdentity: { id: sourceUser.id, type: 'User', displayName: sourceUser.displayName, details: null },
    targetIdentity: { id: targetId, type: 'User', displayName: null, details: null },
    sourceSystem: { id: call.tenant.id, name: 'Azure Active Directory', details: null },
    targetSystem: { id: target.id, name: 'Azure Active Directory (target tenant)', details: null },
    statusInfo: { status: result.result, errorCode: (result.details as JsonObject).errorCode ?? null, reason: (result.details as JsonObject).errorMessage ?? null },
    modifiedProperties: action === 'Create' ? [{ displayName: 'userPrincipalName', oldValue: null, newValue: upn }] : [],
    provisioningSteps: [],
  };
  return ok({
    '@odata.context': `${call.graphBase}/$metadata#microsoft.graph.stringKeyStringValuePair`,
    key: JSON.stringify(result),
    value: JSON.stringify(value),
  });
}

/** Assigned users and direct members of assigned groups; everyone while nothing is assigned. */
function inScope(tenant: TenantState, sp: GraphObject, userId: string): boolean {
  const assignments = tenant.appRoleAssignments?.[sp.id] ?? [];
  if (assignments.length === 0) return true;
  const id = userId.toLowerCase();
  return assignments.some((assignment) => {
    const principalId = String(assignment.principalId).toLowerCase();
    if (assignment.principalType === 'User') return principalId === id;
    return (tenant.members[String(assignment.principalId)] ?? []).some((member) => member.toLowerCase() === id);
  });
}

/** The zero GUID: the default access role, valid when the application defines no app roles. */
const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

function assignAppRole(call: GraphCall) {
  const sp = spOr404(call);
  const body = (call.body as JsonObject | undefined) ?? {};
  const principalId = String(body.principalId ?? '');
  const appRoleId = String(body.appRoleId ?? '');
  if (String(body.resourceId ?? '').toLowerCase() !== sp.id.toLowerCase()) {
    throw badRequest(`resourceId must be the id of the service principal ${sp.id} the role is assigned for.`);
  }
  const roles = (sp.appRoles as Array<{ id: string }> | undefined) ?? [];
  const known = roles.length === 0 ? appRoleId === DEFAULT_ACCESS_ROLE_ID : roles.some((role) => role.id.toLowerCase() === appRoleId.toLowerCase());
  if (!known) throw badRequest('Permission being assigned was not found on application: the appRoleId is not a role of this service principal.');
  const user = call.directory.findUser(principalId);
  const group = user ? undefined : call.directory.findGroup(principalId);
  // A service principal (an app or a managed identity) granted an application permission.
  const servicePrincipal = user || group ? undefined : Object.values(call.tenant.servicePrincipals).find((candidate) => candidate.id.toLowerCase() === principalId.toLowerCase());
  if (!user && !group && !servicePrincipal) throw resourceNotFound(principalId);
  const assignments = ((call.tenant.appRoleAssignments ??= {})[sp.id] ??= []);
  const principal = (user ?? group ?? servicePrincipal)!;
  if (assignments.some((existing) => String(existing.principalId).toLowerCase() === principal.id.toLowerCase() && existing.appRoleId === appRoleId)) {
    throw new GraphError(409, 'Request_BadRequest', 'Permission being assigned already exists on the object');
  }
  const assignment: GraphObject = { ...newAppRoleAssignment(sp, principal, appRoleId), principalType: user ? 'User' : group ? 'Group' : 'ServicePrincipal' };
  assignments.push(assignment);
  return created({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals('${sp.id}')/appRoleAssignedTo/$entity`, ...assignment });
}

function startJob(call: GraphCall) {
  requireSyncApi(call, 'start');
  const sp = spOr404(call);
  const job = jobOr404(call, sp);
  resolveTarget(call, secretsOf(call, sp));
  job.schedule = { ...(job.schedule as JsonObject), state: 'Active' };
  job.status = { ...(job.status as JsonObject), code: 'Active' };
  return noContent();
}

function createJob(call: GraphCall) {
  requireSyncApi(call, 'jobs');
  const sp = spOr404(call);
  const templateId = (call.body as JsonObject).templateId;
  if (templateId !== SYNC_JOB_TEMPLATE) throw badRequest(`Invalid templateId '${String(templateId)}': cross-tenant synchronization jobs use the template '${SYNC_JOB_TEMPLATE}'.`);
  if (sp.applicationTemplateId !== CROSS_TENANT_SYNC_TEMPLATE_ID) {
    throw badRequest(`Service principal ${sp.id} was not created from the cross-tenant synchronization application template.`);
  }
  const job: GraphObject = {
    id: `${SYNC_JOB_TEMPLATE}.${hex()}.${createHash('sha1').update(sp.id).digest('hex').slice(0, 32)}`,
    templateId: SYNC_JOB_TEMPLATE,
    schedule: { expiration: null, interval: 'PT40M', state: 'Disabled' },
    status: {
      code: 'NotConfigured',
      countSuccessiveCompleteFailures: 0,
      escrowsPruned: false,
      lastExecution: null,
      lastSuccessfulExecution: null,
      lastSuccessfulExecutionWithExports: null,
      progress: [],
      quarantine: null,
      steadyStateFirstAchievedTime: '0001-01-01T00:00:00Z',
      steadyStateLastAchievedTime: '0001-01-01T00:00:00Z',
      synchronizedEntryCountByType: [],
      troubleshootingUrl: null,
    },
    synchronizationJobSettings: [],
  };
  (call.tenant.syncJobs[sp.id] ??= {})[job.id] = job;
  return created({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals('${sp.id}')/synchronization/jobs/$entity`, ...job });
}

function putSecrets(call: GraphCall) {
  requireSyncApi(call, 'secrets');
  const sp = spOr404(call);
  const entries = ((call.body as JsonObject).value as Array<{ key: string; value: string }> | undefined) ?? [];
  const secrets = secretsOf(call, sp);
  for (const entry of entries) {
    if (typeof entry.key !== 'string' || typeof entry.value !== 'string') throw badRequest('Each secret needs a string key and value.');
    secrets.set(entry.key, entry.value);
  }
  call.tenant.syncSecrets[sp.id] = [...secrets].map(([key, value]) => ({ key, value }));
  return noContent();
}

function createServicePrincipal(call: GraphCall) {
  const appId = (call.body as JsonObject).appId;
  if (typeof appId !== 'string') throw badRequest("Property 'appId' is required.");
  if (Object.values(call.tenant.servicePrincipals).some((sp) => String(sp.appId).toLowerCase() === appId.toLowerCase())) {
    throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `A service principal for application ${appId} already exists.`);
  }
  const application = Object.values(call.tenant.applications).find((app) => String(app.appId).toLowerCase() === appId.toLowerCase());
  const worldApp = call.engine.app(appId);
  if (!application && !worldApp) throw resourceNotFound(appId);
  const sp = servicePrincipalObject(randomUUID(), appId, String(application?.displayName ?? worldApp?.displayName), String(worldApp?.tenantId ?? call.tenant.id));
  call.tenant.servicePrincipals[sp.id] = sp;
  return created({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals/$entity`, ...sp });
}

export const syncRoutes: GraphRoute[] = [
  { method: 'POST', template: '/applicationTemplates/{applicationTemplate-id}/instantiate', permissions: PERMISSIONS.applicationWrite, handler: instantiate },
  {
    method: 'GET',
    template: '/servicePrincipals',
    permissions: PERMISSIONS.applicationRead,
    handler: (call) =>
      ok(listObjects(call, Object.values(call.tenant.servicePrincipals), { typeName: 'microsoft.graph.servicePrincipal', path: '/servicePrincipals', context: 'servicePrincipals' })),
  },
  { method: 'POST', template: '/servicePrincipals', permissions: PERMISSIONS.applicationWrite, handler: createServicePrincipal },
  {
    method: 'GET',
    template: SP,
    permissions: PERMISSIONS.applicationRead,
    handler: (call) => ok({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals/$entity`, ...project(spOr404(call), selected(call, 'microsoft.graph.servicePrincipal')) }),
  },
  {
    method: 'PATCH',
    template: SP,
    permissions: PERMISSIONS.applicationWrite,
    handler: (call) => {
      const sp = spOr404(call);
      for (const [key, value] of Object.entries(call.body as JsonObject)) {
        if (['id', 'appId'].includes(key)) throw badRequest(`Property '${key}' is read-only.`);
        if (!key.startsWith('@odata.')) sp[key] = structuredClone(value);
      }
      return noContent();
    },
  },
  {
    method: 'DELETE',
    template: SP,
    permissions: PERMISSIONS.applicationWrite,
    handler: (call) => {
      const sp = spOr404(call);
      delete call.tenant.servicePrincipals[sp.id];
      delete call.tenant.syncJobs[sp.id];
      delete call.tenant.syncSecrets[sp.id];
      delete call.tenant.appRoleAssignments?.[sp.id];
      return noContent();
    },
  },
  {
    method: 'GET',
    template: `${SP}/synchronization/templates`,
    permissions: PERMISSIONS.synchronizationRead,
    handler: (call) => {
      requireSyncApi(call, 'templates');
      const sp = spOr404(call);
      const templates =
        sp.applicationTemplateId === CROSS_TENANT_SYNC_TEMPLATE_ID
          ? [{ id: SYNC_JOB_TEMPLATE, applicationId: sp.appId, default: true, description: 'Cross-tenant synchronization', discoverable: true, factoryTag: SYNC_JOB_TEMPLATE, metadata: [] }]
          : [];
      return ok(
        listObjects(call, templates, {
          typeName: 'microsoft.graph.synchronizationTemplate',
          path: `/servicePrincipals/${sp.id}/synchronization/templates`,
          context: `servicePrincipals('${sp.id}')/synchronization/templates`,
          directoryObjects: false,
        }),
      );
    },
  },
  {
    method: 'POST',
    template: `${SP}/synchronization/templates`,
    permissions: PERMISSIONS.synchronizationWrite,
    handler: () => {
      throw badRequest('Synchronization templates are provided by the service and cannot be created.');
    },
  },
  {
    method: 'GET',
    template: JOBS,
    permissions: PERMISSIONS.synchronizationRead,
    handler: (call) => {
      requireSyncApi(call, 'jobs');
      const sp = spOr404(call);
      return ok(
        listObjects(call, Object.values(call.tenant.syncJobs[sp.id] ?? {}).map((job) => structuredClone(job)), {
          typeName: 'microsoft.graph.synchronizationJob',
          path: `/servicePrincipals/${sp.id}/synchronization/jobs`,
          context: `servicePrincipals('${sp.id}')/synchronization/jobs`,
          directoryObjects: false,
        }),
      );
    },
  },
  { method: 'POST', template: JOBS, permissions: PERMISSIONS.synchronizationWrite, handler: createJob },
  {
    method: 'GET',
    template: JOB,
    permissions: PERMISSIONS.synchronizationRead,
    handler: (call) => {
      requireSyncApi(call, 'jobs');
      return ok({ '@odata.context': `${call.graphBase}/$metadata#servicePrincipals/synchronization/jobs/$entity`, ...jobOr404(call, spOr404(call)) });
    },
  },
  {
    method: 'PATCH',
    template: JOB,
    permissions: PERMISSIONS.synchronizationWrite,
    handler: (call) => {
      requireSyncApi(call, 'jobs');
      const job = jobOr404(call, spOr404(call));
      const body = call.body as JsonObject;
      if (body.schedule !== undefined) job.schedule = { ...(job.schedule as JsonObject), ...(body.schedule as JsonObject) };
      if (body.synchronizationJobSettings !== undefined) job.synchronizationJobSettings = structuredClone(body.synchronizationJobSettings);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    template: JOB,
    permissions: PERMISSIONS.synchronizationWrite,
    handler: (call) => {
      requireSyncApi(call, 'jobs');
      const sp = spOr404(call);
      delete call.tenant.syncJobs[sp.id][jobOr404(call, sp).id];
      return noContent();
    },
  },
  { method: 'POST', template: `${JOB}/start`, permissions: PERMISSIONS.synchronizationWrite, handler: startJob },
  { method: 'POST', template: `${JOB}/validateCredentials`, permissions: PERMISSIONS.synchronizationWrite, handler: validateCredentials },
  { method: 'POST', template: `${JOB}/provisionOnDemand`, permissions: PERMISSIONS.synchronizationWrite, handler: provisionOnDemand },
  { method: 'PUT', template: `${SP}/synchronization/secrets`, permissions: PERMISSIONS.synchronizationWrite, handler: putSecrets },
  {
    method: 'GET',
    template: `${SP}/appRoleAssignedTo`,
    permissions: PERMISSIONS.appRoleAssignmentRead,
    handler: (call) => {
      const sp = spOr404(call);
      return ok(
        listObjects(call, (call.tenant.appRoleAssignments?.[sp.id] ?? []).map((assignment) => structuredClone(assignment)), {
          typeName: 'microsoft.graph.appRoleAssignment',
          path: `/servicePrincipals/${sp.id}/appRoleAssignedTo`,
          context: `servicePrincipals('${sp.id}')/appRoleAssignedTo`,
          directoryObjects: false,
        }),
      );
    },
  },
  { method: 'POST', template: `${SP}/appRoleAssignedTo`, permissions: PERMISSIONS.appRoleAssignmentWrite, handler: assignAppRole },
  {
    method: 'DELETE',
    template: `${SP}/appRoleAssignedTo/{appRoleAssignment-id}`,
    permissions: PERMISSIONS.appRoleAssignmentWrite,
    handler: (call) => {
      const sp = spOr404(call);
      const assignments = call.tenant.appRoleAssignments?.[sp.id] ?? [];
      const index = assignments.findIndex((assignment) => assignment.id === call.params['appRoleAssignment-id']);
      if (index < 0) throw resourceNotFound(call.params['appRoleAssignment-id']);
      assignments.splice(index, 1);
      return noContent();
    },
  },
];
