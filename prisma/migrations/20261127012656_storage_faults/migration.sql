-- AlterTable
ALTER TABLE "Server" ADD COLUMN "lastOperationId" TEXT;

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN "errorCode" TEXT;

-- AlterTable
ALTER TABLE "Operation" ADD COLUMN "errorCode" TEXT;

-- CreateTable
CREATE TABLE "PendingDeletion" (
    "snapshotId" INTEGER NOT NULL PRIMARY KEY,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "PendingDeletion_notBefore_idx" ON "PendingDeletion"("notBefore");
