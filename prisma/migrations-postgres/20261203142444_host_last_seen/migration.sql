-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "lastSeenAt" TIMESTAMP(3);
