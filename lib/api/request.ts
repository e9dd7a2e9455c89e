// Reading and validating what a client sent: path params, query string and JSON body.
// Every failure is an AppError with a clear detail, so bad input never reaches a 500.
import "server-only";
import type { z } from "zod";
import { AppError } from "@/lib/server/errors";
import { fieldErrors } from "@/lib/api/errors";
import { RESERVED_KEYS } from "@/lib/schemas/reserved-keys";

export const MAX_BODY_BYTES = 64 * 1024;

export function validate<S extends z.ZodType>(schema: S, input: unknown, where: "path" | "query" | "body"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, where);
  const fields = Object.keys(errors).join(", ");
  throw new AppError(
    "validation_error",
    `Invalid ${where === "path" ? "path parameter" : where === "query" ? "query parameter" : "request body"}: ${fields}.`,
    errors,
  );
}

/** The query string as an object; a parameter given twice is refused rather than guessed. */
export function readQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(out, key))
      throw new AppError("validation_error", `Query parameter ${key} was given more than once.`, {
        [key]: ["must be given once"],
      });
    out[key] = value;
  }
  return out;
}

/** Reads at most MAX_BODY_BYTES of the actual stream; Content-Length is only a fast path. */
async function readLimited(req: Request): Promise<Uint8Array> {
  const tooLarge = () => new AppError("payload_too_large", `The request body must be at most ${MAX_BODY_BYTES / 1024} KiB.`);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function isJsonMediaType(contentType: string | null): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * The parsed JSON body, or undefined when the body is empty. A route that takes no body
 * still accepts `{}` so clients that always send JSON keep working.
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const bytes = await readLimited(req);
  if (bytes.byteLength === 0) return undefined;
  if (!isJsonMediaType(req.headers.get("content-type")))
    throw new AppError("unsupported_media_type", "The request body must be JSON, sent with Content-Type: application/json.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid UTF-8.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
  const problems = inspectJson(value);
  if (problems.length)
    throw new AppError(
      "validation_error",
      `Invalid request body: ${problems.map((p) => p.at || "body").join(", ")}.`,
      Object.fromEntries(problems.map((p) => [p.at || "body", [p.why]])),
    );
  return value;
}

/** How deep a request body may nest; no route takes more than 3 levels. */
export const MAX_JSON_DEPTH = 32;
// With the u flag a proper surrogate pair is one code point, so this matches only a
// half pair. JSON "\ud800" escapes decode to such halves, which no database or UTF-8
// encoder can store: refused here once, for every string (and key) of every route.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What no route accepts, wherever it is in a body: nesting deeper than MAX_JSON_DEPTH,
 * reserved keys, strings that are not well-formed Unicode. A loop with its own stack, not
 * recursion, so a body nested thousands deep is refused instead of overflowing the stack.
 */
function inspectJson(root: unknown): { at: string; why: string }[] {
  const problems: { at: string; why: string }[] = [];
  const stack: [unknown, string, number][] = [[root, "", 0]];
  while (stack.length) {
    const [value, at, depth] = stack.pop()!;
    if (typeof value === "string") {
      if (LONE_SURROGATE.test(value)) problems.push({ at, why: "contains a lone UTF-16 surrogate (not valid Unicode text)" });
      continue;
    }
    if (!value || typeof value !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) return [{ at: "body", why: `nests deeper than ${MAX_JSON_DEPTH} levels` }];
    for (const [key, item] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      if (LONE_SURROGATE.test(key)) problems.push({ at: path, why: "contains a lone UTF-16 surrogate (not valid Unicode text)" });
      else if (RESERVED_KEYS.has(key)) problems.push({ at: path, why: `"${key}" is not allowed as a key` });
      else stack.push([item, path, depth + 1]);
    }
  }
  return problems;
}

/** JSON with sorted keys, so the same body in another key order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
