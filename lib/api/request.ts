// Reading and validating what a client sent: path params, query string and JSON body.
// Every failure is an AppError with a clear detail, so bad input never reaches a 500.
import "server-only";
import type { z } from "zod";
import { AppError } from "@/lib/server/errors";
import { fieldErrors } from "@/lib/api/errors";

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
  const broken = findLoneSurrogates(value, "");
  if (broken.length)
    throw new AppError(
      "validation_error",
      `Invalid request body: ${broken.join(", ")}.`,
      Object.fromEntries(broken.map((field) => [field || "body", ["contains a lone UTF-16 surrogate (not valid Unicode text)"]])),
    );
  return value;
}

// With the u flag a proper surrogate pair is one code point, so this matches only a
// half pair. JSON "\ud800" escapes decode to such halves, which no database or UTF-8
// encoder can store: refused here once, for every string (and key) of every route.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Paths (`a.b.0`) of the strings and keys in `value` that are not well-formed Unicode. */
function findLoneSurrogates(value: unknown, path: string): string[] {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? [path] : [];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = path ? `${path}.${key}` : key;
    return LONE_SURROGATE.test(key) ? [at] : findLoneSurrogates(item, at);
  });
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
