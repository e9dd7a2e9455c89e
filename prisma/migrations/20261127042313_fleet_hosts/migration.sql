-- CreateTable
CREATE TABLE "Host" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Backfill (hand-written): existing servers all live on the single host `local`.
INSERT INTO "Host" ("name") SELECT 'local' WHERE EXISTS (SELECT 1 FROM "Server");

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Server" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "diskMb" INTEGER NOT NULL,
    "ownerId" INTEGER NOT NULL,
    "activeOperationId" TEXT,
    "lastOperationId" TEXT,
    "hostId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Server_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Server_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Server" ("activeOperationId", "createdAt", "diskMb", "hostname", "id", "lastOperationId", "location", "name", "ownerId", "status", "updatedAt", "hostId") SELECT "activeOperationId", "createdAt", "diskMb", "hostname", "id", "lastOperationId", "location", "name", "ownerId", "status", "updatedAt", (SELECT "id" FROM "Host" WHERE "name" = 'local') FROM "Server";
DROP TABLE "Server";
ALTER TABLE "new_Server" RENAME TO "Server";
CREATE UNIQUE INDEX "Server_activeOperationId_key" ON "Server"("activeOperationId");
CREATE INDEX "Server_ownerId_idx" ON "Server"("ownerId");
CREATE INDEX "Server_hostId_idx" ON "Server"("hostId");
CREATE TABLE "new_WorkerHeartbeat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "host" TEXT NOT NULL DEFAULT 'local',
    "pid" INTEGER NOT NULL,
    "storeFault" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_WorkerHeartbeat" ("heartbeatAt", "hostname", "id", "pid", "startedAt") SELECT "heartbeatAt", "hostname", "id", "pid", "startedAt" FROM "WorkerHeartbeat";
DROP TABLE "WorkerHeartbeat";
ALTER TABLE "new_WorkerHeartbeat" RENAME TO "WorkerHeartbeat";
CREATE INDEX "WorkerHeartbeat_host_heartbeatAt_idx" ON "WorkerHeartbeat"("host", "heartbeatAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
