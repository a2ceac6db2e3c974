export const HELP = `dailysync: back up every project folder of a NAS tree with concurrent rsync tasks

Usage:
  dailysync sync --source DIR --dest DIR [options]   back up (no --source/--dest: the built-in demo tree)
  dailysync plan --source DIR --dest DIR [--json]    what a sync would do: tasks, sizes, splits, order,
                                                     estimated time; writes nothing
  dailysync merge-reports FILE... [--out FILE]       combine the JSON reports of --shard runs
  dailysync verify --source DIR --dest DIR [--checksum] [--report FILE]
                                                     prove the backup holds everything (exit 1 if not)
  dailysync diagnose --source DIR --dest DIR [--seconds N] [--json]
                                                     ~15 s probe (no backup): metadata ops/s, read and
                                                     write speed, CPU headroom, network path; names the
                                                     likely bottleneck
  dailysync --help                                   this text
  dailysync --version

sync options:
  --source DIR          the production tree; each subfolder is a project. DIR is an absolute
                        path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon)
  --dest DIR            the backup root, same forms (created if its parent exists)
  --concurrency N|auto  rsync processes at once (default: auto: starts moderate, adds streams while
                        throughput rises, backs off when a disk or the CPU saturates). Large
                        projects are split into parts by subfolder, largest work first
  --delete              delete files in the backup that are gone from the source (off by default)
  --dry-run             show what would change; write nothing
  --include NAME        back up only matching projects (repeatable, comma list, * and ? wildcards)
  --exclude NAME        leave matching projects out (repeatable)
  --bwlimit KIB         bandwidth limit per rsync process, KiB/s
  --no-hard-links       do not preserve hard links (rsync -H is on by default)
  --no-acls             do not preserve ACLs (-A is on by default)
  --no-xattrs           do not preserve extended attributes (-X is on by default)
  --report FILE         write a JSON report
  --retries N           extra attempts after a transient rsync failure, per task (default 2)
  --max-delete N|P%     refuse the whole run (nothing deleted) if it would delete more entries
  --max-shrink P        with --delete, refuse a source that lost more than P% of its entries
                        since the last good run (default 50; 100 turns it off)
  --source-marker NAME  file that must exist in the source root (proves it is mounted)
  --dest-marker NAME    file that must exist in the backup root
  --dest-fs TYPE        the backup root must be on this filesystem type (e.g. nfs4; repeatable)
  --plain               plain log lines even on a terminal (the default without one)
  --ssh-port N          ssh port for a user@host:/path source or destination
  --ssh-identity FILE   private key for ssh (absolute path)
  --ssh-known-hosts FILE  known_hosts file to check the host key against (absolute path)
  --ssh-host-key-checking yes|accept-new  refuse unknown host keys (default) or trust on first use
  --timeout SECONDS     rsync I/O timeout (default 300 with a remote side, none locally)
  --shard I/N           run only machine I's share of N (I from 1; 0-based index: I = index + 1)
  --config FILE         read options from a dailysync.config.json; flags override it
  --junit FILE          write JUnit XML, one test case per project (for CI dashboards)
  --html FILE           write a self-contained HTML report: task timeline, CPU/disk/network/memory, bottleneck
  --json                one JSON event per line on stdout (log shippers); human output on stderr
  --metrics-file FILE   write Prometheus metrics of the run at its end, whatever the exit
                        (a .prom file in node_exporter's textfile collector directory)
  --notify-url URL      health-check pings: URL/start, then URL on success or URL/fail with
                        the exit status and a summary (healthchecks.io style; never fails the backup)
  --log-file FILE       append the run's lines, with ISO-8601 timestamps, to FILE
  -q, --quiet           print only the summary and errors (no progress, no live view)

plan options: --source, --dest, --concurrency, --include, --exclude, --shard as for sync;
  --json prints the plan as JSON

diagnose options: --source, --dest (both must exist; writes only a temporary
  DEST/.dailysync-probe-<pid> file, removed after), --seconds N (1-60, default 15), --json

Exit status: 0 all projects ok or with warnings, 1 a project failed, 2 bad usage or
configuration (nothing written), 75 another run holds the lock, 130 interrupted.
`;
