#!/bin/sh
# Stand-in for ssh: rsync calls `local-rsh.sh HOST rsync --server ...`; drop HOST and run locally,
# so a local copy goes through rsync's remote protocol (where -z compression is active).
shift
exec "$@"
