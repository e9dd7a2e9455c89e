import type { Metadata } from "next";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { TokenList } from "@/components/tokens/token-list";

export const metadata: Metadata = { title: "API tokens" };

export default function TokensPage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold text-zinc-900">API tokens</h1>
        <p className="mt-1 max-w-2xl text-sm text-zinc-600">
          Tokens let scripts use the REST API as you: send{" "}
          <code className="font-mono text-zinc-800">Authorization: Bearer &lt;token&gt;</code>. A <em>read</em> token can only
          look; a <em>write</em> token can also create, restore and delete snapshots.
        </p>
      </div>
      <CreateTokenForm />
      <TokenList />
    </div>
  );
}
