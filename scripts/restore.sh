#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and media folder.
# Usage: DATABASE_URL=postgres://.../juncture_new MEDIA_ROOT=/srv/juncture/media scripts/restore.sh SRC_DIR
# Stop the web, worker and beat processes first; start them again afterwards.
set -euo pipefail
src="${1:?usage: scripts/restore.sh SRC_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the (empty) PostgreSQL database to restore into}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$DATABASE_URL" "$src/juncture.dump"
mkdir -p "$media"
tar -C "$media" -xzf "$src/media.tar.gz"
echo "restored $src into the database and $media"
