// Adopting the guests of a libvirt host (SPEC §7): list its domains, and make a server of
// one. The operator CLI calls these with the host's libvirt URI, so they work from the
// hypervisor itself (qemu:///system) or from elsewhere (qemu+ssh://hv-01/system). Deleting a
// server never touches its domain.
import "server-only";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { isUniqueViolation } from "@/lib/server/db-errors";
import { libvirtHost } from "@/lib/disks/libvirt";
import { serverNameSchema } from "@/lib/schemas/servers";

const MIB = 1024 * 1024;

async function libvirtHostRow(name: string) {
  const host = await prisma.host.findUnique({ where: { name } });
  if (!host) throw new AppError("not_found", `Host ${name} does not exist.`);
  if (host.hypervisor !== "libvirt")
    throw new AppError(
      "validation_error",
      `Host ${name} is a ${host.hypervisor} host; guests are imported from libvirt hosts only.`,
    );
  return host;
}

/** The host's domains with their state and the server (id) each already is, if any. */
export async function listDomains(hostName: string) {
  const host = await libvirtHostRow(hostName);
  const states = await libvirtHost(host.libvirtUri).domains();
  const servers = await prisma.server.findMany({
    where: { hostId: host.id, domain: { not: null } },
    select: { id: true, domain: true },
  });
  const serverOf = new Map(servers.map((s) => [s.domain!, s.id]));
  return [...states].map(([domain, state]) => ({ domain, state, serverId: serverOf.get(domain) ?? null }));
}

/** Makes a server of an existing domain: its first disk, its size, its state. */
export async function importServer(input: { host: string; domain: string; ownerId: number; name?: string; location?: string }) {
  const host = await libvirtHostRow(input.host);
  const libvirt = libvirtHost(host.libvirtUri);
  const disk = await libvirt.disk(input.domain); // domain_missing, unsupported disk, libvirtd down
  const state = await libvirt.state(input.domain);
  const name = serverNameSchema.safeParse(input.name ?? input.domain);
  if (!name.success)
    throw new AppError(
      "validation_error",
      `"${input.name ?? input.domain}" cannot be a server name (${name.error.issues[0]!.message}); pass --name.`,
    );
  try {
    return await prisma.$transaction((tx) =>
      tx.server.create({
        data: {
          name: name.data,
          hostname: `${name.data}.${input.location ?? "fsn1"}.snapdeck.internal`,
          status: state === "running" || state === "paused" ? "active" : "stopped",
          location: input.location ?? "fsn1",
          diskMb: Math.ceil(disk.bytes / MIB),
          ownerId: input.ownerId,
          hostId: host.id,
          domain: input.domain,
          hypervisorState: state,
        },
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `Domain ${input.domain} on ${host.name} is already a server.`);
    throw err;
  }
}
