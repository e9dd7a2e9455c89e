-- CreateTable
CREATE TABLE "Host" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- Backfill (hand-written, as in the SQLite twin): existing servers all live on the single host `local`.
INSERT INTO "Host" ("name") SELECT 'local' WHERE EXISTS (SELECT 1 FROM "Server");

-- AlterTable
ALTER TABLE "Server" ADD COLUMN     "hostId" INTEGER;
UPDATE "Server" SET "hostId" = (SELECT "id" FROM "Host" WHERE "name" = 'local');
ALTER TABLE "Server" ALTER COLUMN "hostId" SET NOT NULL;

-- AlterTable
ALTER TABLE "WorkerHeartbeat" ADD COLUMN     "host" TEXT NOT NULL DEFAULT 'local',
ADD COLUMN     "storeFault" TEXT;

-- CreateIndex
CREATE INDEX "Server_hostId_idx" ON "Server"("hostId");

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_host_heartbeatAt_idx" ON "WorkerHeartbeat"("host", "heartbeatAt");

-- AddForeignKey
ALTER TABLE "Server" ADD CONSTRAINT "Server_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
