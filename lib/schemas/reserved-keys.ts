// Keys that name Object.prototype's machinery: assigning one to a plain object changes its
// prototype or shadows it instead of adding a field (`{"__proto__": …}` once wiped labels).
// The API refuses them anywhere in a body (lib/api/request.ts); the label schema and the
// dashboard's label editor refuse them as label keys.
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
