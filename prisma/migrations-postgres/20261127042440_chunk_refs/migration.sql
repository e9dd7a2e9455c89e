-- CreateTable
CREATE TABLE "Chunk" (
    "hash" TEXT NOT NULL,
    "touchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Chunk_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "SnapshotChunk" (
    "snapshotId" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "SnapshotChunk_pkey" PRIMARY KEY ("snapshotId","hash")
);

-- CreateIndex
CREATE INDEX "SnapshotChunk_hash_idx" ON "SnapshotChunk"("hash");

-- AddForeignKey
ALTER TABLE "SnapshotChunk" ADD CONSTRAINT "SnapshotChunk_hash_fkey" FOREIGN KEY ("hash") REFERENCES "Chunk"("hash") ON DELETE RESTRICT ON UPDATE CASCADE;
