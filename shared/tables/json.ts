// JSON values in Table entities. A string property holds at most 64 KiB (32K UTF-16 chars), so a
// large value is split over `name`, `name_1`, `name_2`, ... with `name_parts` saying how many.
const CHUNK_CHARS = 30_000;
/** An entity holds at most 252 custom properties and 1 MiB; stay well inside. */
const MAX_PARTS = 24;

export function packJson(entity: Record<string, unknown>, name: string, value: unknown): void {
  const text = JSON.stringify(value ?? null);
  const parts = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
  if (parts > MAX_PARTS) throw new RangeError(`${name} is too large to store (${text.length} characters)`);
  for (let index = 0; index < parts; index += 1) {
    entity[index === 0 ? name : `${name}_${index}`] = text.slice(index * CHUNK_CHARS, (index + 1) * CHUNK_CHARS);
  }
  entity[`${name}_parts`] = parts;
}

export function unpackJson<T>(entity: Record<string, unknown>, name: string, fallback: T): T {
  const first = entity[name];
  if (typeof first !== 'string') return fallback;
  const parts = typeof entity[`${name}_parts`] === 'number' ? (entity[`${name}_parts`] as number) : 1;
  let text = first;
  for (let index = 1; index < parts; index += 1) text += String(entity[`${name}_${index}`] ?? '');
  return JSON.parse(text) as T;
}
