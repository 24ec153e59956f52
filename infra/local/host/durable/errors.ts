// What the durable client operations refuse, with the status the management API answers
// (httpApi.ts maps the code), and the checks of what callers hand in.

export class DurableError extends Error {
  override readonly name = 'DurableError';
  constructor(
    readonly code: 'not-found' | 'conflict' | 'bad-request' | 'gone',
    message: string,
  ) {
    super(message);
  }
}

const INVALID_ID = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function validateInstanceId(instanceId: string): void {
  if (instanceId.trim() === '' || instanceId.length > 256 || INVALID_ID.test(instanceId) || instanceId.startsWith('@')) {
    throw new DurableError('bad-request', `Invalid instance ID '${instanceId}': it must be 1-256 characters, without '/', '\\', '#', '?', control characters or a leading '@'.`);
  }
}

export function assertJson(text: string, what: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new DurableError('bad-request', `The ${what} is not valid JSON`);
  }
}
