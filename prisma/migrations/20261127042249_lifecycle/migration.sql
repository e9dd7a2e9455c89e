-- CreateTable
CREATE TABLE "SnapshotLabel" (
    "snapshotId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("snapshotId", "key"),
    CONSTRAINT "SnapshotLabel_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "Snapshot" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Schedule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "serverId" INTEGER NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "cron" TEXT NOT NULL,
    "keep" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" DATETIME NOT NULL,
    "lastRunAt" DATETIME,
    "lastRunStatus" TEXT,
    "lastRunSnapshotId" INTEGER,
    "lastRunError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Schedule_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Snapshot" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "serverId" INTEGER NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "sizeMb" REAL,
    "storedBytes" BIGINT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "errorCode" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'manual',
    "consistency" TEXT,
    "protected" BOOLEAN NOT NULL DEFAULT false,
    "expiresAt" DATETIME,
    "scheduleId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME,
    CONSTRAINT "Snapshot_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Snapshot_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Snapshot" ("completedAt", "createdAt", "description", "error", "errorCode", "id", "name", "ownerId", "progress", "serverId", "sizeMb", "status", "storedBytes") SELECT "completedAt", "createdAt", "description", "error", "errorCode", "id", "name", "ownerId", "progress", "serverId", "sizeMb", "status", "storedBytes" FROM "Snapshot";
DROP TABLE "Snapshot";
ALTER TABLE "new_Snapshot" RENAME TO "Snapshot";
CREATE INDEX "Snapshot_serverId_createdAt_id_idx" ON "Snapshot"("serverId", "createdAt", "id");
CREATE INDEX "Snapshot_kind_expiresAt_idx" ON "Snapshot"("kind", "expiresAt");
CREATE INDEX "Snapshot_ownerId_createdAt_id_idx" ON "Snapshot"("ownerId", "createdAt", "id");
CREATE INDEX "Snapshot_ownerId_status_createdAt_id_idx" ON "Snapshot"("ownerId", "status", "createdAt", "id");
CREATE INDEX "Snapshot_createdAt_id_idx" ON "Snapshot"("createdAt", "id");
CREATE TABLE "new_AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER,
    "tokenId" INTEGER,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL DEFAULT 'user',
    "ownerId" INTEGER,
    "serverId" INTEGER,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "detail" TEXT,
    "ip" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "AuditEvent_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_AuditEvent" ("action", "createdAt", "detail", "id", "ip", "result", "targetId", "targetType", "tokenId", "userId") SELECT "action", "createdAt", "detail", "id", "ip", "result", "targetId", "targetType", "tokenId", "userId" FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE INDEX "AuditEvent_userId_createdAt_idx" ON "AuditEvent"("userId", "createdAt");
CREATE INDEX "AuditEvent_ownerId_createdAt_id_idx" ON "AuditEvent"("ownerId", "createdAt", "id");
CREATE INDEX "AuditEvent_serverId_createdAt_id_idx" ON "AuditEvent"("serverId", "createdAt", "id");
CREATE INDEX "AuditEvent_createdAt_id_idx" ON "AuditEvent"("createdAt", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SnapshotLabel_key_value_snapshotId_idx" ON "SnapshotLabel"("key", "value", "snapshotId");

-- CreateIndex
CREATE INDEX "Schedule_serverId_idx" ON "Schedule"("serverId");

-- CreateIndex
CREATE INDEX "Schedule_ownerId_idx" ON "Schedule"("ownerId");

-- CreateIndex
CREATE INDEX "Schedule_enabled_nextRunAt_idx" ON "Schedule"("enabled", "nextRunAt");

-- Snapshots taken before kinds existed: manual; their capture was never proven offline.
UPDATE "Snapshot" SET "consistency" = 'crash-consistent' WHERE "status" = 'completed';
