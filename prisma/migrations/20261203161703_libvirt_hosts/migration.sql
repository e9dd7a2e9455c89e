-- AlterTable
ALTER TABLE "Server" ADD COLUMN "domain" TEXT;
ALTER TABLE "Server" ADD COLUMN "guestAgent" TEXT;
ALTER TABLE "Server" ADD COLUMN "hypervisorState" TEXT;

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN "checkpoint" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Host" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "hypervisor" TEXT NOT NULL DEFAULT 'simulated',
    "libvirtUri" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME
);
INSERT INTO "new_Host" ("createdAt", "id", "lastSeenAt", "name") SELECT "createdAt", "id", "lastSeenAt", "name" FROM "Host";
DROP TABLE "Host";
ALTER TABLE "new_Host" RENAME TO "Host";
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Server_hostId_domain_key" ON "Server"("hostId", "domain");
