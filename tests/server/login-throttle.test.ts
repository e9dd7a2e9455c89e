// Sign-in attempts are claimed before the password check: 5 free per account and 20 per
// address in the window, then a doubling delay; kept in the database.
import { describe, expect, it } from "vitest";
import { claimLoginAttempt, releaseLoginAttempt } from "@/lib/server/login-throttle";

async function claim(email: string, ip: string | null, times: number): Promise<number[]> {
  const delays: number[] = [];
  for (let i = 0; i < times; i++) delays.push(await claimLoginAttempt(email, ip));
  return delays;
}

describe("login throttle", () => {
  it("allows 5 attempts for one account, then refuses without blocking others on the same address", async () => {
    expect(await claim("victim@example.com", "10.0.0.1", 5)).toEqual([0, 0, 0, 0, 0]);
    expect(await claimLoginAttempt("victim@example.com", "10.0.0.9")).toBeGreaterThan(0);
    expect(await claimLoginAttempt("Victim@Example.com ", null)).toBeGreaterThan(0); // same account, normalised
    expect(await claimLoginAttempt("colleague@example.com", "10.0.0.1")).toBe(0);
  });

  it("allows 20 attempts from one address across accounts", async () => {
    for (let i = 0; i < 20; i++) expect(await claimLoginAttempt(`guess${i}@example.com`, "10.0.0.2")).toBe(0);
    expect(await claimLoginAttempt("fresh@example.com", "10.0.0.2")).toBeGreaterThan(0);
    expect(await claimLoginAttempt("fresh@example.com", "10.0.0.3")).toBe(0);
  });

  it("a refused attempt counts nothing; a success forgets the account and returns the address its attempt", async () => {
    await claim("slow@example.com", "10.0.0.4", 5);
    const first = await claimLoginAttempt("slow@example.com", null);
    expect(first).toBeGreaterThan(0);
    expect(await claimLoginAttempt("slow@example.com", null)).toBeLessThanOrEqual(first);
    await releaseLoginAttempt("slow@example.com", "10.0.0.4");
    expect(await claimLoginAttempt("slow@example.com", null)).toBe(0);
  });

  it("parallel attempts are counted one by one: 40 at once get exactly 5", async () => {
    const delays = await Promise.all(Array.from({ length: 40 }, () => claimLoginAttempt("burst@example.com", null)));
    expect(delays.filter((d) => d === 0)).toHaveLength(5);
  });
});
