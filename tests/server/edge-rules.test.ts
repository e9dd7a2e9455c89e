// Pure rules at the edge of the app: which callback URLs sign-in may follow, and which
// forwarded headers a peer may set.
import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirectUrl, signInPath } from "@/lib/schemas/callback-url";
import { normalizeAddress, parseTrustedProxies, sanitizeForwardedHeaders } from "@/lib/server/forwarded";

describe("safeCallbackPath", () => {
  it("keeps same-site paths", () => {
    for (const path of ["/servers", "/servers/3", "/settings/tokens?x=1#top", "/a%2F%2Fb"])
      expect(safeCallbackPath(path)).toBe(path);
  });

  it("sends everything else to /servers", () => {
    const bad = [
      "/\t/evil.example/phish",
      "/\n/evil.example",
      "/\r/evil.example",
      "/\u0000x",
      "/\u007f",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "/x\\y",
      "https://evil.example/",
      "javascript:alert(1)",
      "evil.example",
      "",
      "/" + "a".repeat(3000),
      undefined,
      ["/servers"],
    ];
    for (const value of bad) expect(safeCallbackPath(value), JSON.stringify(value)).toBe("/servers");
  });

  it("next-auth's redirect keeps same-origin paths only", () => {
    const base = "http://localhost:3000";
    expect(safeRedirectUrl("/servers/2", base)).toBe(`${base}/servers/2`);
    expect(safeRedirectUrl(`${base}/settings/tokens`, base)).toBe(`${base}/settings/tokens`);
    expect(safeRedirectUrl(`${base}/\t/evil.example`, base)).toBe(`${base}/servers`);
    expect(safeRedirectUrl("/\t/evil.example/phish", base)).toBe(`${base}/servers`);
    expect(safeRedirectUrl("https://evil.example/", base)).toBe(`${base}/servers`);
    expect(safeRedirectUrl("http://localhost:3000.evil.example/", base)).toBe(`${base}/servers`);
  });

  it("a signed-out page sends to sign in and back, but only to a path on this site", () => {
    expect(signInPath("/servers/3")).toBe("/login?callbackUrl=%2Fservers%2F3");
    expect(signInPath("/servers?sort=status&order=desc")).toBe("/login?callbackUrl=%2Fservers%3Fsort%3Dstatus%26order%3Ddesc");
    for (const value of ["/servers", "//evil.example", "https://evil.example/", "/\\evil.example", null])
      expect(signInPath(value), JSON.stringify(value)).toBe("/login");
  });
});

describe("forwarded headers", () => {
  const trusted = parseTrustedProxies(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);

  it("parses addresses and CIDRs, and refuses anything else", () => {
    expect(normalizeAddress("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(normalizeAddress("[fd00::1]:443")).toBe("fd00::1");
    expect(normalizeAddress("10.1.2.3:5000")).toBe("10.1.2.3");
    expect(normalizeAddress("evil")).toBe("");
    for (const bad of ["10.0.0.0/33", "nope", "10.0.0.0/x", "fd00::/129"])
      expect(() => parseTrustedProxies([bad]), bad).toThrow(bad);
  });

  it("an untrusted peer's forwarded headers are dropped; X-Forwarded-For becomes the peer", () => {
    const headers: Record<string, string> = {
      host: "snap.example",
      "x-forwarded-for": "6.6.6.6",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      "x-real-ip": "6.6.6.7",
      forwarded: "for=6.6.6.8",
    };
    sanitizeForwardedHeaders(headers, "::ffff:203.0.113.9", trusted);
    expect(headers).toEqual({ host: "snap.example", "x-forwarded-for": "203.0.113.9" });
  });

  it("a trusted proxy's chain is read from the right, up to the first address it does not vouch for", () => {
    const read = (xff: string | undefined, peer = "10.0.0.2") => {
      const headers: Record<string, string> = { "x-forwarded-host": "snap.example", "x-forwarded-proto": "https" };
      if (xff !== undefined) headers["x-forwarded-for"] = xff;
      sanitizeForwardedHeaders(headers, peer, trusted);
      expect(headers["x-forwarded-host"]).toBe("snap.example");
      return headers["x-forwarded-for"];
    };
    expect(read("198.51.100.1")).toBe("198.51.100.1");
    expect(read("6.6.6.6, 198.51.100.1, 10.0.0.3")).toBe("198.51.100.1");
    expect(read("10.0.0.4, 10.0.0.3")).toBe("10.0.0.4");
    expect(read(undefined)).toBe("10.0.0.2");
    expect(read("garbage")).toBe("10.0.0.2");
    expect(read("198.51.100.1", "fd00::5")).toBe("198.51.100.1");
  });
});
