/**
 * The capability vocabulary: `scope.resource.action[.own|.any]`. Network capabilities act on the whole
 * network; site capabilities act on one site (the route's `{site}`). Plugins will declare theirs under
 * `plugin.<id>.*` through the plugin SDK; nothing grants them silently.
 */

export interface CapabilityDefinition {
  readonly name: string
  readonly scope: 'network' | 'site'
  readonly description: string
}

const define = (scope: 'network' | 'site', entries: Record<string, string>): CapabilityDefinition[] =>
  Object.entries(entries).map(([name, description]) => ({ name, scope, description }))

export const CAPABILITIES: readonly CapabilityDefinition[] = Object.freeze([
  ...define('network', {
    'network.settings.read': 'Read network settings.',
    'network.settings.manage': 'Change network settings and apply database updates.',
    'network.users.read': 'List and read every user account.',
    'network.users.manage': 'Create, invite, suspend, delete users; assign network roles; reset 2FA.',
    'network.roles.manage': 'Create, change and delete custom roles.',
    'network.sites.read': 'List every site.',
    'network.sites.create': 'Create sites.',
    'network.sites.manage': 'Change any site (status, domains, ownership).',
    'network.sites.delete': 'Delete sites.',
    'network.plugins.manage': 'Install and remove plugins for the network.',
    'network.themes.manage': 'Install and remove themes for the network.',
    'network.audit.read': 'Read the whole audit log.',
    'network.jobs.manage': 'Inspect, retry and cancel jobs of every site.',
    'network.mail.read': 'Read the captured mail outbox.',
  }),
  ...define('site', {
    'site.settings.read': 'Read the site settings.',
    'site.settings.manage': 'Change the site settings.',
    'site.members.read': 'List the members of the site.',
    'site.members.manage': 'Add and remove members and change their roles.',
    'site.types.manage': 'Define content types.',
    'site.themes.manage': 'Choose and configure the theme.',
    'site.plugins.manage': 'Activate and configure plugins.',
    'site.menus.manage': 'Edit menus.',
    'site.seo.manage': 'Edit SEO settings and redirects.',
    'site.content.read.private': 'Read published entries whose visibility is private.',
    'site.content.read.drafts':
      'Read unpublished work of every author: drafts, pending, scheduled, unpublished, archived and trashed entries, revisions, workflow history.',
    'site.content.create': 'Create entries.',
    'site.content.edit.own': 'Edit own entries.',
    'site.content.edit.any': 'Edit any entry.',
    'site.content.delete.own': 'Delete own entries.',
    'site.content.delete.any': 'Delete any entry.',
    'site.content.publish.own': 'Publish own entries.',
    'site.content.publish.any': 'Publish any entry.',
    'site.taxonomy.manage': 'Manage taxonomies and terms.',
    'site.media.create': 'Upload media.',
    'site.media.edit.own': 'Edit own media.',
    'site.media.edit.any': 'Edit any media.',
    'site.media.delete.own': 'Delete own media.',
    'site.media.delete.any': 'Delete any media.',
    'site.comments.create': 'Comment as a signed-in member.',
    'site.comments.moderate': 'Approve, edit and delete comments.',
    'site.analytics.read': 'Read the site analytics.',
    'site.webhooks.manage': 'Manage webhooks.',
    'site.imports.manage': 'Run imports and exports.',
    'site.jobs.read': 'See the site jobs.',
    'site.jobs.manage': 'Retry and cancel the site jobs.',
    'site.audit.read': 'Read the audit log of the site.',
  }),
])

const BY_NAME = new Map(CAPABILITIES.map((c) => [c.name, c]))

/**
 * Names that are no longer capabilities but are still accepted where capabilities are granted (roles, API
 * key scopes), expanded to what they meant. `site.content.read` once covered both private entries and
 * unpublished work (ADR 0009); nothing stores or checks it any more.
 */
export const CAPABILITY_ALIASES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'site.content.read': ['site.content.read.private', 'site.content.read.drafts'],
})

export const NETWORK_CAPABILITIES: readonly string[] = CAPABILITIES.filter((c) => c.scope === 'network').map(
  (c) => c.name,
)
export const SITE_CAPABILITIES: readonly string[] = CAPABILITIES.filter((c) => c.scope === 'site').map(
  (c) => c.name,
)

export function isCapability(name: string): boolean {
  return BY_NAME.has(name)
}

export function capabilityScope(name: string): 'network' | 'site' | undefined {
  return BY_NAME.get(name)?.scope
}

/**
 * Expands capability patterns (`site.content.*`, `site.*`, exact names, or an alias such as
 * `site.content.read`) to the capabilities they cover. Returns the names that matched nothing separately,
 * so callers can refuse them.
 */
export function expandCapabilities(patterns: readonly string[]): {
  capabilities: string[]
  unknown: string[]
} {
  const out = new Set<string>()
  const unknown: string[] = []
  for (const pattern of patterns) {
    if (pattern.endsWith('.*')) {
      const prefix = pattern.slice(0, -1)
      const matched = CAPABILITIES.filter((c) => c.name.startsWith(prefix))
      if (matched.length === 0) unknown.push(pattern)
      for (const c of matched) out.add(c.name)
    } else if (BY_NAME.has(pattern)) out.add(pattern)
    else if (Object.hasOwn(CAPABILITY_ALIASES, pattern))
      for (const c of CAPABILITY_ALIASES[pattern] ?? []) out.add(c)
    else unknown.push(pattern)
  }
  return { capabilities: [...out].sort(), unknown }
}
