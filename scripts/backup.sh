#!/usr/bin/env bash
# Back up Juncture: the PostgreSQL database (pg_dump custom format) and the media folder
# (attachments). Usage: DATABASE_URL=postgres://... MEDIA_ROOT=/srv/juncture/media scripts/backup.sh DEST_DIR
set -euo pipefail
dest="${1:?usage: scripts/backup.sh DEST_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --file "$dest/juncture.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$dest/media.tar.gz" .
else
  tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi
echo "backup written to $dest (juncture.dump, media.tar.gz)"
