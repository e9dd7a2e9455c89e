import next from "eslint-config-next/core-web-vitals";
import ts from "eslint-config-next/typescript";

// The layers of ARCHITECTURE.md, enforced: the browser side never reaches the domain, the
// jobs or the data plane, and routes go through lib/api and lib/server only.
const SERVER_ONLY = ["@/lib/server", "@/lib/server/*", "@/lib/jobs", "@/lib/jobs/*", "@/lib/disks", "@/lib/disks/*"];
const layer = (group, message) => ({ "no-restricted-imports": ["error", { patterns: [{ group, message }] }] });
// The lib/ layers, bottom up: lib/schemas (zod, shared with the browser) < lib/server (the
// domain and the database) < lib/jobs (operations a worker runs) < lib/api (HTTP). A layer
// imports only the ones below it; also by relative path ("../jobs/x").
const below = (dirs, message) => ({
  "no-restricted-imports": ["error", { patterns: [{ regex: `^(@/lib/|(\\.\\./)+)(${dirs.join("|")})(/|$)`, message }] }],
});

// ARCHITECTURE.md "One connection per process" (lib/server/db.ts): on SQLite the one connection
// runs a bare write at once, inside whatever transaction another request has open, so every
// write goes through prisma.$transaction((tx) => …) and is made on `tx`, never on `prisma`;
// or is an element of the array form, prisma.$transaction([prisma.x.update(…), …]), whose
// queries run only inside that transaction.
const batched = (node) =>
  `:not(CallExpression[callee.object.name='prisma'][callee.property.name='$transaction'] > ArrayExpression > ${node})`;
const WRITES = "/^(create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)$/";
const RAW_WRITES = "/^\\$executeRaw(Unsafe)?$/";
const TX_MESSAGE =
  "Write inside prisma.$transaction((tx) => tx.…) (lib/server/db.ts: one connection per process), not on `prisma` directly.";
const writesInTransactions = {
  "no-restricted-syntax": [
    "error",
    {
      selector: `CallExpression${batched("CallExpression")} > MemberExpression.callee[object.type='MemberExpression'][object.object.name='prisma'][property.name=${WRITES}]`,
      message: TX_MESSAGE,
    },
    {
      selector: `CallExpression${batched("CallExpression")} > MemberExpression.callee[object.name='prisma'][property.name=${RAW_WRITES}]`,
      message: TX_MESSAGE,
    },
    {
      selector: `TaggedTemplateExpression${batched("TaggedTemplateExpression")} > MemberExpression.tag[object.name='prisma'][property.name=${RAW_WRITES}]`,
      message: TX_MESSAGE,
    },
  ],
};

const config = [
  {
    ignores: [
      "lib/generated/**",
      "lib/api/route-manifest.generated.ts",
      ".next/**",
      "data/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  ...next,
  ...ts,
  {
    files: ["components/**", "lib/client/**", "app/providers.tsx"],
    rules: layer(SERVER_ONLY, "Components and client code reach the domain only through the REST API (lib/client)."),
  },
  {
    files: ["app/api/**"],
    rules: layer(
      [
        "@/lib/jobs",
        "@/lib/jobs/*",
        "@/lib/disks",
        "@/lib/disks/*",
        "@/lib/generated/*",
        "@/lib/server/db",
        "@/components/*",
        "@/lib/client/*",
      ],
      "Routes go through lib/api and lib/server only.",
    ),
  },
  {
    files: ["lib/schemas/**"],
    rules: below(
      ["server", "jobs", "api", "disks"],
      "lib/schemas is the bottom layer (the browser imports it): no lib/server, lib/jobs, lib/api or lib/disks.",
    ),
  },
  {
    files: ["lib/server/**"],
    rules: below(
      ["jobs", "api"],
      "lib/server is below lib/jobs and lib/api: move what both need down into lib/server or lib/schemas.",
    ),
  },
  {
    files: ["lib/jobs/**"],
    rules: below(["api"], "lib/jobs is below lib/api: move what both need down into lib/server or lib/schemas."),
  },
  {
    files: ["lib/**", "app/**", "scripts/**", "instrumentation.ts", "proxy.ts"],
    ignores: ["lib/generated/**"],
    rules: writesInTransactions,
  },
];

export default config;
