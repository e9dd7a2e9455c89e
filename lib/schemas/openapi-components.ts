// The schemas that are OpenAPI components (#/components/schemas/<id>): each is named where
// it is defined (`.register(requestComponents, { id })`), so a route's declaration refers
// to the schema itself and lib/api/openapi.ts finds the name. Request bodies are rendered
// as the client sends them (zod input), responses as the server answers (zod output).
import { z } from "zod";

export const requestComponents = z.registry<{ id: string }>();
export const responseComponents = z.registry<{ id: string }>();
