-- CreateTable
CREATE TABLE "Chunk" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "touchedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SnapshotChunk" (
    "snapshotId" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    PRIMARY KEY ("snapshotId", "hash"),
    CONSTRAINT "SnapshotChunk_hash_fkey" FOREIGN KEY ("hash") REFERENCES "Chunk" ("hash") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SnapshotChunk_hash_idx" ON "SnapshotChunk"("hash");
