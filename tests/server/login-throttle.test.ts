// Failed sign-ins slow down per account after 5 and per address after 20, in the database.
import { describe, expect, it } from "vitest";
import { clearLoginFailures, getLoginDelay, recordLoginFailure } from "@/lib/server/login-throttle";

async function fail(email: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) await recordLoginFailure(email, ip);
}

describe("login throttle", () => {
  it("slows down one account after 5 failures, without blocking others on the same address", async () => {
    await fail("victim@example.com", "10.0.0.1", 5);
    expect(await getLoginDelay("victim@example.com", "10.0.0.1")).toBe(0);
    await fail("victim@example.com", "10.0.0.1", 1);
    expect(await getLoginDelay("victim@example.com", "10.0.0.9")).toBeGreaterThan(0);
    expect(await getLoginDelay("Victim@Example.com ", null)).toBeGreaterThan(0); // same account, normalised
    expect(await getLoginDelay("colleague@example.com", "10.0.0.1")).toBe(0);
  });

  it("slows down one address after 20 failures across accounts", async () => {
    for (let i = 0; i < 20; i++) await recordLoginFailure(`guess${i}@example.com`, "10.0.0.2");
    expect(await getLoginDelay("fresh@example.com", "10.0.0.2")).toBe(0);
    await recordLoginFailure("guess20@example.com", "10.0.0.2");
    expect(await getLoginDelay("fresh@example.com", "10.0.0.2")).toBeGreaterThan(0);
    expect(await getLoginDelay("fresh@example.com", "10.0.0.3")).toBe(0);
  });

  it("doubles the delay with each further failure and forgets an account after a success", async () => {
    await fail("slow@example.com", "10.0.0.4", 6);
    const first = await getLoginDelay("slow@example.com", null);
    await fail("slow@example.com", "10.0.0.4", 1);
    const second = await getLoginDelay("slow@example.com", null);
    expect(second).toBeGreaterThan(first * 1.5);
    await clearLoginFailures("slow@example.com");
    expect(await getLoginDelay("slow@example.com", null)).toBe(0);
  });
});
