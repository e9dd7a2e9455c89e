// API tokens: list, create (the secret comes back exactly once), revoke.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { IDLE_REFRESH_MS } from "@/lib/client/polling";
import { tokenKeys } from "@/lib/client/query-keys";
import type { ApiToken, CreatedApiToken, Page } from "@/lib/schemas/api-responses";
import type { CreateTokenInput } from "@/lib/schemas/tokens";

export { tokenKeys };

export function useTokens() {
  // Tokens made elsewhere (the CLI, another tab) show within 30 s, like every page.
  return useQuery({
    queryKey: tokenKeys.list(),
    queryFn: () => apiFetch<Page<ApiToken>>("/tokens/"),
    refetchInterval: IDLE_REFRESH_MS,
  });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTokenInput) => apiFetch<CreatedApiToken>("/tokens/", { method: "POST", body: input }),
    onSuccess: (token) => toast.success(`Token ${token.name} created. Copy it now: it is shown only once.`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: ApiToken) => apiFetch<void>(`/tokens/${token.id}/`, { method: "DELETE" }),
    onSuccess: (_, token) => toast.success(`Token ${token.name} revoked. Requests using it now fail.`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}
