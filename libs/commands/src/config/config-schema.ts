/**
 * The JSON schema of dailysync.config.json. docs/dailysync.config.schema.json is this object,
 * published for editors; a test keeps the two identical. Keys and meanings match the CLI flags and
 * the Nx `sync` executor options.
 */
export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'dailysync configuration',
  description:
    'Options for `dailysync sync --config FILE` and the Nx sync executor\'s `config` option. Command-line flags override these values. Relative paths are resolved against the folder of the config file.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'Lets editors find this schema.' },
    source: { type: 'string', minLength: 1, description: 'Path of the production tree; each direct subfolder is a project.', examples: ['/data/prod'] },
    dest: { type: 'string', minLength: 1, description: 'Path of the backup root; created if its parent exists.', examples: ['/data/prod_backup'] },
    concurrency: {
      oneOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { enum: ['auto'] }],
      description: 'rsync processes at once, or "auto".',
      default: 'auto',
    },
    delete: { type: 'boolean', description: 'Delete files in the backup that no longer exist in the source.', default: false },
    dryRun: { type: 'boolean', description: 'Show what would change; write nothing.', default: false },
    include: { type: 'array', items: { type: 'string' }, description: 'Back up only projects matching these names or patterns (* and ? wildcards).', examples: [['alpha', 'cam*']] },
    exclude: { type: 'array', items: { type: 'string' }, description: 'Leave out projects matching these names or patterns.' },
    bwlimit: { type: 'integer', minimum: 0, description: 'Bandwidth limit per rsync process in KiB/s; 0 means none.', default: 0 },
    hardLinks: { type: 'boolean', description: 'Preserve hard links (rsync -H).', default: true },
    acls: { type: 'boolean', description: 'Preserve ACLs (rsync -A).', default: true },
    xattrs: { type: 'boolean', description: 'Preserve extended attributes (rsync -X).', default: true },
    report: { type: 'string', minLength: 1, description: 'Write the JSON report to this file.', examples: ['/var/log/dailysync/report.json'] },
    junit: { type: 'string', minLength: 1, description: 'Write a JUnit XML file with one test case per project.', examples: ['/var/log/dailysync/junit.xml'] },
    output: { enum: ['auto', 'tty', 'plain'], description: 'Live renderer on a terminal (auto), or plain log lines.', default: 'auto' },
    html: { type: 'string', minLength: 1, description: 'Write a self-contained HTML report (task timeline, resource charts, bottleneck verdict).', examples: ['/var/log/dailysync/report.html'] },
    metricsFile: { type: 'string', minLength: 1, description: 'Write Prometheus metrics of the run (text format, for node_exporter\'s textfile collector) to this file at the end of every run, whatever the exit.', examples: ['/var/lib/node_exporter/textfile/dailysync.prom'] },
    notifyUrl: { type: 'string', minLength: 1, description: 'Health-check ping URL (healthchecks.io style): URL/start when the run starts, URL on success, URL/fail with the exit status and a summary on failure. A ping that fails never fails the backup.', examples: ['https://hc-ping.com/your-check-uuid'] },
    logFile: { type: 'string', minLength: 1, description: 'Append the run\'s lines, with ISO-8601 timestamps, to this file.', examples: ['/var/log/dailysync/dailysync.log'] },
    quiet: { type: 'boolean', description: 'Print only the summary and errors (no progress lines, no live view).', default: false },
    retries: { type: 'integer', minimum: 0, maximum: 20, description: 'Extra attempts after a transient rsync failure (connection, protocol stream, timeout), per task.', default: 2 },
    maxDelete: {
      oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%?$' }],
      description: 'Refuse the whole run, before any deletion, if it would delete more entries than this count or percent ("5%") of the backup.',
    },
    maxShrink: { type: 'number', minimum: 0, maximum: 100, description: 'With delete, refuse a source that lost more than this percent of its entries since the last good run; 100 turns the check off.', default: 50 },
    sourceMarker: { type: 'string', minLength: 1, description: 'A file that must exist in the source root (proves the share is mounted).' },
    destMarker: { type: 'string', minLength: 1, description: 'A file that must exist in the backup root.' },
    destFs: { type: 'array', items: { type: 'string' }, description: 'Filesystem types the backup root must be on.', examples: [['nfs4', 'cifs']] },
    sshPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'sshd port for a user@host:/path side.' },
    sshIdentity: { type: 'string', minLength: 1, description: 'Private key for ssh, absolute path.' },
    sshKnownHosts: { type: 'string', minLength: 1, description: 'known_hosts file holding the backup host key, absolute path.' },
    sshHostKeyChecking: { enum: ['yes', 'accept-new'], description: 'Refuse unknown host keys (yes) or trust on first contact (accept-new).' },
    timeout: { type: 'integer', minimum: 0, maximum: 86400, description: 'rsync I/O timeout in seconds; default 300 with a remote side.' },
    shard: { type: 'string', pattern: '^\\s*\\d+\\s*/\\s*\\d+\\s*$', description: 'Run share I of N ("I/N", I from 1).', examples: ['1/3'] },
  },
} as const;

/** A JSON-schema node as used in CONFIG_SCHEMA (the small subset the validator understands). */
export interface SchemaNode {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  minLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  oneOf?: readonly SchemaNode[];
  items?: SchemaNode;
  description?: string;
}
