-- DropIndex
DROP INDEX "Snapshot_serverId_status_idx";

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "ownerId" INTEGER;
-- Backfill: each snapshot takes its server's owner (edited by hand; Prisma's diff leaves it out).
UPDATE "Snapshot" s SET "ownerId" = v."ownerId" FROM "Server" v WHERE v."id" = s."serverId";
ALTER TABLE "Snapshot" ALTER COLUMN "ownerId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Snapshot_serverId_createdAt_id_idx" ON "Snapshot"("serverId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Snapshot_ownerId_createdAt_id_idx" ON "Snapshot"("ownerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Snapshot_ownerId_status_createdAt_id_idx" ON "Snapshot"("ownerId", "status", "createdAt", "id");
