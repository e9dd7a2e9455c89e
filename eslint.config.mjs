import next from "eslint-config-next/core-web-vitals";
import ts from "eslint-config-next/typescript";

// The layers of ARCHITECTURE.md, enforced: the browser side never reaches the domain, the
// jobs or the data plane, and routes go through lib/api and lib/server only.
const SERVER_ONLY = ["@/lib/server", "@/lib/server/*", "@/lib/jobs", "@/lib/jobs/*", "@/lib/disks", "@/lib/disks/*"];
const layer = (group, message) => ({ "no-restricted-imports": ["error", { patterns: [{ group, message }] }] });

const config = [
  { ignores: ["lib/generated/**", "lib/api/route-manifest.generated.ts", ".next/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...next,
  ...ts,
  {
    files: ["components/**", "lib/client/**", "app/providers.tsx"],
    rules: layer(SERVER_ONLY, "Components and client code reach the domain only through the REST API (lib/client)."),
  },
  {
    files: ["app/api/**"],
    rules: layer(
      ["@/lib/jobs", "@/lib/jobs/*", "@/lib/disks", "@/lib/disks/*", "@/lib/generated/*", "@/lib/server/db", "@/components/*", "@/lib/client/*"],
      "Routes go through lib/api and lib/server only.",
    ),
  },
];

export default config;
