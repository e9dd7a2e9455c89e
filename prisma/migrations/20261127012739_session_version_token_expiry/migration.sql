-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" DATETIME;

-- AlterTable (a plain ADD COLUMN: SQLite allows NOT NULL with a constant default, so the
-- table need not be rebuilt)
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
