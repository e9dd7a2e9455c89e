// Any other /api/v1 path: a JSON 404 in the API's error shape, not Next's HTML page.
import { errorResponse } from "@/lib/api/errors";

function notFound(req: Request): Response {
  return errorResponse(404, { detail: `No API route ${new URL(req.url).pathname}.`, code: "not_found" });
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
