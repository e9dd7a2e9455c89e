-- AlterTable
ALTER TABLE "Host" ADD COLUMN "lastSeenAt" DATETIME;
