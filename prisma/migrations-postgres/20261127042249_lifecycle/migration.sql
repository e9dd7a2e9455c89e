-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "consistency" TEXT,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'manual',
ADD COLUMN     "protected" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "scheduleId" INTEGER;

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "actorType" TEXT NOT NULL DEFAULT 'user',
ADD COLUMN     "ownerId" INTEGER,
ADD COLUMN     "serverId" INTEGER;

-- CreateTable
CREATE TABLE "SnapshotLabel" (
    "snapshotId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "SnapshotLabel_pkey" PRIMARY KEY ("snapshotId","key")
);

-- CreateTable
CREATE TABLE "Schedule" (
    "id" SERIAL NOT NULL,
    "serverId" INTEGER NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "cron" TEXT NOT NULL,
    "keep" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "lastRunStatus" TEXT,
    "lastRunSnapshotId" INTEGER,
    "lastRunError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SnapshotLabel_key_value_snapshotId_idx" ON "SnapshotLabel"("key", "value", "snapshotId");

-- CreateIndex
CREATE INDEX "Schedule_serverId_idx" ON "Schedule"("serverId");

-- CreateIndex
CREATE INDEX "Schedule_ownerId_idx" ON "Schedule"("ownerId");

-- CreateIndex
CREATE INDEX "Schedule_enabled_nextRunAt_idx" ON "Schedule"("enabled", "nextRunAt");

-- CreateIndex
CREATE INDEX "Snapshot_kind_expiresAt_idx" ON "Snapshot"("kind", "expiresAt");

-- CreateIndex
CREATE INDEX "AuditEvent_ownerId_createdAt_id_idx" ON "AuditEvent"("ownerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_serverId_createdAt_id_idx" ON "AuditEvent"("serverId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_id_idx" ON "AuditEvent"("createdAt", "id");

-- AddForeignKey
ALTER TABLE "Snapshot" ADD CONSTRAINT "Snapshot_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SnapshotLabel" ADD CONSTRAINT "SnapshotLabel_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "Snapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Snapshots taken before kinds existed: manual; their capture was never proven offline.
UPDATE "Snapshot" SET "consistency" = 'crash-consistent' WHERE "status" = 'completed';
