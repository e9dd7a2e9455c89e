-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "lastOperationId" TEXT;

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "errorCode" TEXT;

-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "errorCode" TEXT;

-- CreateTable
CREATE TABLE "PendingDeletion" (
    "snapshotId" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingDeletion_pkey" PRIMARY KEY ("snapshotId")
);

-- CreateIndex
CREATE INDEX "PendingDeletion_notBefore_idx" ON "PendingDeletion"("notBefore");
