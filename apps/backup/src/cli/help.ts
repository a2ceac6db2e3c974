export const HELP = `dailysync: back up every project folder of a NAS tree with concurrent rsync tasks

Usage:
  dailysync sync --source DIR --dest DIR [options]   back up (no --source/--dest: the built-in demo tree)
  dailysync --help                                   this text
  dailysync --version

sync options:
  --source DIR          absolute path of the production tree; each subfolder is a project
  --dest DIR            absolute path of the backup root (created if its parent exists)
  --concurrency N|auto  rsync processes at once (default: auto)
  --delete              delete files in the backup that are gone from the source (off by default)
  --dry-run             show what would change; write nothing
  --include NAME        back up only matching projects (repeatable, comma list, * and ? wildcards)
  --exclude NAME        leave matching projects out (repeatable)
  --bwlimit KIB         bandwidth limit per rsync process, KiB/s
  --no-hard-links       do not preserve hard links (rsync -H is on by default)
  --no-acls             do not preserve ACLs (-A is on by default)
  --no-xattrs           do not preserve extended attributes (-X is on by default)
  --report FILE         write a JSON report
  --plain               plain log lines even on a terminal (the default without one)

Exit status: 0 all projects ok or with warnings, 1 a project failed, 2 bad usage or
configuration (nothing written), 75 another run holds the lock, 130 interrupted.
`;
