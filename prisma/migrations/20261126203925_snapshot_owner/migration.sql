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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME,
    CONSTRAINT "Snapshot_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
-- Backfill: each snapshot takes its server's owner (edited by hand; Prisma's diff leaves it out).
INSERT INTO "new_Snapshot" ("completedAt", "createdAt", "description", "error", "id", "name", "progress", "serverId", "ownerId", "sizeMb", "status", "storedBytes") SELECT s."completedAt", s."createdAt", s."description", s."error", s."id", s."name", s."progress", s."serverId", v."ownerId", s."sizeMb", s."status", s."storedBytes" FROM "Snapshot" s JOIN "Server" v ON v."id" = s."serverId";
DROP TABLE "Snapshot";
ALTER TABLE "new_Snapshot" RENAME TO "Snapshot";
CREATE INDEX "Snapshot_serverId_createdAt_id_idx" ON "Snapshot"("serverId", "createdAt", "id");
CREATE INDEX "Snapshot_ownerId_createdAt_id_idx" ON "Snapshot"("ownerId", "createdAt", "id");
CREATE INDEX "Snapshot_ownerId_status_createdAt_id_idx" ON "Snapshot"("ownerId", "status", "createdAt", "id");
CREATE INDEX "Snapshot_createdAt_id_idx" ON "Snapshot"("createdAt", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
