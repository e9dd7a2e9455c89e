-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "targetName" TEXT;

-- Backfill (hand-written, the same SQL in both databases): events recorded before
-- AuditEvent had ownerId/serverId/targetName get them from their target where it still
-- exists; any other event belongs to the user who acted (members act on their own things).
UPDATE "AuditEvent" SET
  "serverId" = (SELECT s."serverId" FROM "Snapshot" s WHERE CAST(s."id" AS TEXT) = "AuditEvent"."targetId"),
  "ownerId" = (SELECT s."ownerId" FROM "Snapshot" s WHERE CAST(s."id" AS TEXT) = "AuditEvent"."targetId"),
  "targetName" = (SELECT s."name" FROM "Snapshot" s WHERE CAST(s."id" AS TEXT) = "AuditEvent"."targetId")
WHERE "targetType" = 'snapshot';
UPDATE "AuditEvent" SET
  "serverId" = (SELECT v."id" FROM "Server" v WHERE CAST(v."id" AS TEXT) = "AuditEvent"."targetId"),
  "ownerId" = (SELECT v."ownerId" FROM "Server" v WHERE CAST(v."id" AS TEXT) = "AuditEvent"."targetId"),
  "targetName" = (SELECT v."name" FROM "Server" v WHERE CAST(v."id" AS TEXT) = "AuditEvent"."targetId")
WHERE "targetType" = 'server';
UPDATE "AuditEvent" SET
  "ownerId" = (SELECT t."userId" FROM "ApiToken" t WHERE CAST(t."id" AS TEXT) = "AuditEvent"."targetId"),
  "targetName" = (SELECT t."name" FROM "ApiToken" t WHERE CAST(t."id" AS TEXT) = "AuditEvent"."targetId")
WHERE "targetType" = 'token';
UPDATE "AuditEvent" SET "ownerId" = "userId" WHERE "ownerId" IS NULL;
