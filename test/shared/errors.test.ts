import { DomainError, ERROR_CODES, PROBLEM_TYPE_BASE, reviveDomainError, toProblemDetails } from '../../shared/errors';

describe('errors', () => {
  it('carries a stable code, the status of the code and JSON details', () => {
    const error = new DomainError('tenant.permission-denied', 'The app lacks Policy.ReadWrite.CrossTenantAccess.', { details: { permission: 'x' } });
    expect(error.status).toBe(403);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'DomainError',
      code: 'tenant.permission-denied',
      status: 403,
      message: 'The app lacks Policy.ReadWrite.CrossTenantAccess.',
      details: { permission: 'x' },
    });
  });

  it('maps a domain error to problem+json with its details as extensions', () => {
    const problem = toProblemDetails(new DomainError('capability.violation', 'No.', { details: { violations: [{ code: 'a' }] } }), '/api/x');
    expect(problem).toEqual({
      type: `${PROBLEM_TYPE_BASE}capability.violation`,
      title: ERROR_CODES['capability.violation'].title,
      status: 422,
      detail: 'No.',
      code: 'capability.violation',
      instance: '/api/x',
      violations: [{ code: 'a' }],
    });
  });

  it('never leaks the message of an unknown error', () => {
    const problem = toProblemDetails(new Error('password=hunter2'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('revives a domain error that crossed an activity boundary as JSON text', () => {
    const original = new DomainError('apply.partial-failure', 'Stopped.', { details: { applied: ['a'] } });
    const revived = reviveDomainError(new Error(JSON.stringify(original)));
    expect(revived).toBeInstanceOf(DomainError);
    expect(revived?.code).toBe('apply.partial-failure');
    expect(revived?.details).toEqual({ applied: ['a'] });
    expect(reviveDomainError(new Error('plain'))).toBeUndefined();
    expect(reviveDomainError({ name: 'DomainError', code: 'no.such.code', message: '' })).toBeUndefined();
  });
});
