-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "domain" TEXT,
ADD COLUMN     "guestAgent" TEXT,
ADD COLUMN     "hypervisorState" TEXT;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "hypervisor" TEXT NOT NULL DEFAULT 'simulated',
ADD COLUMN     "libvirtUri" TEXT;

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "checkpoint" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Server_hostId_domain_key" ON "Server"("hostId", "domain");
