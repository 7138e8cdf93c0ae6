import Type, { type Static } from 'typebox'

/**
 * The one configuration schema. Each key documents itself; docs/configuration.md and the README table are
 * kept in step with it by a test. Secrets are marked with `secret: true` so they can be read from
 * `<VAR>_FILE` and are never printed.
 */
export const ConfigSchema = Type.Object(
  {
    env: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
      default: 'development',
      description: 'Runtime mode. `production` turns off query timing headers and protects /metrics.',
    }),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'Address the HTTP server listens on.',
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 3000,
      description: 'TCP port of the HTTP server.',
    }),
    dataDir: Type.String({
      minLength: 1,
      default: './data',
      description: 'Directory for the embedded database and the setup token.',
    }),
    databaseUrl: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description:
          'PostgreSQL connection URL. When absent, the embedded PGlite database in `dataDir` is used.',
        secret: true,
      }),
    ),
    dbPoolMax: Type.Integer({
      minimum: 1,
      maximum: 200,
      default: 10,
      description: 'Maximum PostgreSQL connections per process.',
    }),
    setupToken: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        description: 'Presets the one-time setup token for unattended installs (16+ characters).',
        secret: true,
      }),
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'Lowest log level written (JSON lines on stdout).' },
    ),
    bodyLimit: Type.Integer({
      minimum: 1024,
      maximum: 104_857_600,
      default: 1_048_576,
      description: 'Largest accepted request body, in bytes.',
    }),
    trustProxy: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed. Empty: none.',
    }),
    metricsToken: Type.Optional(
      Type.String({
        minLength: 16,
        description: 'Bearer token for `GET /metrics` in production.',
        secret: true,
      }),
    ),
    metricsAllowLoopback: Type.Boolean({
      default: false,
      description:
        'In production, let callers on this machine (loopback) read `GET /metrics` without the token. Off: a reverse proxy on the same machine would make every forwarded request look local.',
    }),
    queryTiming: Type.Optional(
      Type.Boolean({
        description:
          'Send `Server-Timing` with the per-request query count. Default: on unless env is production.',
      }),
    ),
    shutdownTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 10_000,
      description: 'How long a graceful shutdown waits for in-flight requests before closing anyway.',
    }),
    setupRateLimit: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 10,
      description: 'Setup attempts allowed per client address per 15 minutes.',
    }),
    publicUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^/?#]+$',
        description:
          'Public base URL of the network, used in links sent by email (e.g. `https://example.com`). Default: http://<host>:<port>.',
      }),
    ),
    sessionIdleHours: Type.Integer({
      minimum: 1,
      maximum: 8760,
      default: 168,
      description: 'A session not used for this many hours expires.',
    }),
    sessionMaxHours: Type.Integer({
      minimum: 1,
      maximum: 8760,
      default: 720,
      description: 'A session expires this many hours after sign-in, however active.',
    }),
    authRateLimit: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 30,
      description: 'Sign-in, 2FA and password-reset attempts allowed per client address per 15 minutes.',
    }),
    authAccountRateLimit: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 10,
      description: 'Sign-in and password-reset attempts allowed per account (email) per 15 minutes.',
    }),
    entryPasswordRateLimit: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 30,
      description: 'Password attempts on protected entries allowed per client address per 15 minutes.',
    }),
    entryPasswordFailLimit: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 20,
      description:
        'Wrong passwords allowed per protected entry per 15 minutes, from all clients together; then every attempt on it waits.',
    }),
    apiKeyRateLimit: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 600,
      description: 'Requests allowed per API key per minute.',
    }),
    smtpUrl: Type.Optional(
      Type.String({
        pattern: '^smtps?://',
        description:
          'SMTP server for outgoing mail, e.g. `smtp://user:pass@mail.example.com:587`. Absent: mail is captured in the database (readable at `GET /api/v1/mail/outbox`), never sent.',
        secret: true,
      }),
    ),
    mailFrom: Type.String({
      minLength: 3,
      default: 'Colophon <no-reply@localhost>',
      description: 'Sender (`From:`) of outgoing mail.',
    }),
    encryptionKey: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9+/_-]{43}=?$',
        description:
          'Key that encrypts secrets at rest (2FA secrets, queued mail): 32 random bytes in base64, e.g. from `openssl rand -base64 32`. Required in production. Absent elsewhere: a key generated once into `<dataDir>/encryption.key`.',
        secret: true,
      }),
    ),
    encryptionPreviousKeys: Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' }), {
      default: [],
      description:
        'Earlier encryption keys, comma-separated: still accepted for reading during a key rotation until `colophon secrets rotate` has re-encrypted everything (see docs/operations.md).',
      secret: true,
    }),
    rootDomain: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63})$',
      default: 'localhost',
      description:
        "The network's root host name: the main site, the admin and the network API answer on it; sites get `<slug>.<root domain>`. `localhost` works with no DNS set-up.",
    }),
    siteApiCallsPerMinute: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1200,
      description:
        'Requests allowed per site per minute on its `/api/v1/sites/{site}/…` routes, unless a network admin set another limit for the site.',
    }),
    anonymousRequestsPerMinute: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1200,
      description:
        'Requests allowed per client address per minute on `/api/v1/sites/{site}/…` routes for anonymous readers (they do not spend the site quota).',
    }),
    jobsInProcess: Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off')], {
      default: 'auto',
      description:
        '`serve` also works the job queues: `on`, `off` (run `colophon worker` processes instead), or `auto` (in-process on PGlite, not on PostgreSQL).',
    }),
    siteEntriesQuota: Type.Integer({
      minimum: 0,
      maximum: 100_000_000,
      default: 0,
      description:
        'Entries a site may hold, unless a network admin set another limit for the site. 0: no limit.',
    }),
    readCacheSeconds: Type.Integer({
      minimum: 0,
      maximum: 3600,
      default: 5,
      description:
        'Seconds a node reuses a reply of the public reading API for anonymous readers (0: off). Writes on the same node clear it at once.',
    }),
    readCacheMaxBytes: Type.Integer({
      minimum: 0,
      maximum: 16 * 1024 * 1024 * 1024,
      default: 32 * 1024 * 1024,
      description:
        'Bytes of replies the reading API cache may hold on one node, across all sites (the least recently used go first); 0 keeps nothing.',
    }),
    pageCacheSeconds: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description:
        'Seconds a public page rendered for anonymous readers is kept in the page cache (0: off). Every change that can alter a page drops it at once, on every node.',
    }),
    pageCacheMaxBytes: Type.Integer({
      minimum: 0,
      maximum: 16 * 1024 * 1024 * 1024,
      default: 64 * 1024 * 1024,
      description:
        'Bytes of pages the page cache may hold in the memory of one node, across all sites (the least recently used go first); 0 keeps nothing.',
    }),
    pageCacheSharedMaxAge: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 60,
      description:
        'Seconds a CDN or shared proxy may keep a public page (`Cache-Control: s-maxage`); browsers always revalidate.',
    }),
    pageCacheStaleWhileRevalidate: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 30,
      description:
        'Seconds a CDN may keep serving a public page past `s-maxage` while it fetches a fresh one (`Cache-Control: stale-while-revalidate`).',
    }),
    redisUrl: Type.Optional(
      Type.String({
        pattern: '^rediss?://',
        description:
          'Redis shared by every node: rate-limit and quota counters, and the broadcast that clears reply caches on all nodes. Absent: each node counts and caches on its own.',
        secret: true,
      }),
    ),
    redisKeyPrefix: Type.String({
      pattern: '^[A-Za-z0-9_.:-]{1,64}$',
      default: 'colophon:',
      description:
        'Prefix of every Redis key and channel Colophon uses, so several networks can share one Redis.',
    }),
    mediaMaxUploadBytes: Type.Integer({
      minimum: 1024,
      maximum: 10 * 1024 * 1024 * 1024,
      default: 64 * 1024 * 1024,
      description: 'The largest file one upload may carry, in bytes (default 64 MiB).',
    }),
    siteMediaBytesQuota: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description:
        'Bytes of media a site may hold, unless a network admin set another limit for the site. 0: no limit.',
    }),
    mediaSignedUrlSeconds: Type.Integer({
      minimum: 60,
      maximum: 7 * 24 * 3600,
      default: 900,
      description:
        'How long a signed link to a media item no published public entry shows stays valid, in seconds (default 15 minutes).',
    }),
    mediaPublicBaseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s?#]+$',
        description:
          'A CDN (or static host) serving the media objects by key, e.g. `https://media.example.net`: public files and variants are then linked as `<base>/<object key>`. Unset: every file is served on its site’s host.',
      }),
    ),
    mediaImportAllow: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      default: [],
      description:
        'Host names and CIDR ranges a media import from a URL may reach although they are private (comma-separated, e.g. `intranet.example,10.1.0.0/16`). Empty: public addresses only.',
    }),
    mediaImportTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 600,
      default: 30,
      description: 'How long a media import from a URL may take in all (redirects and body), in seconds.',
    }),
    mediaStorage: Type.Union([Type.Literal('local'), Type.Literal('s3')], {
      default: 'local',
      description:
        'Where media files are kept: `local` (under `<dataDir>/media`) or `s3` (an S3-compatible bucket, `COLOPHON_S3_*`).',
    }),
    s3Endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'S3-compatible endpoint URL (leave unset for AWS S3 itself).',
      }),
    ),
    s3Region: Type.String({ minLength: 1, default: 'us-east-1', description: 'S3 region.' }),
    s3Bucket: Type.Optional(
      Type.String({ minLength: 3, maxLength: 63, description: 'S3 bucket of media files.' }),
    ),
    s3ForcePathStyle: Type.Boolean({
      default: false,
      description:
        'Address the bucket in the path (`<endpoint>/<bucket>/…`), as most S3-compatible servers need.',
    }),
    s3AccessKeyId: Type.Optional(
      Type.String({ minLength: 1, description: 'S3 access key id.', secret: true }),
    ),
    s3SecretAccessKey: Type.Optional(
      Type.String({ minLength: 1, description: 'S3 secret access key.', secret: true }),
    ),
    trashRetentionDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 30,
      description: 'Days an entry stays in the trash before a recurring job purges it for good.',
    }),
  },
  { additionalProperties: false },
)

export type Config = Readonly<Static<typeof ConfigSchema>> & { readonly queryTiming: boolean }
export type ConfigKey = keyof Static<typeof ConfigSchema>
