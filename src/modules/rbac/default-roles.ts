import { NETWORK_CAPABILITIES, SITE_CAPABILITIES } from './capabilities.ts'

/**
 * Capabilities of the built-in roles. Their rows in `roles` (seeded by migration 0002) carry no
 * capabilities: these lists are the truth, so an upgrade that widens the vocabulary updates them too.
 * `subscriber` is not here: it ships as an ordinary custom role, editable like any other.
 */

const siteCaps = (prefixes: readonly string[]): string[] =>
  SITE_CAPABILITIES.filter((c) => prefixes.some((p) => c === p || c.startsWith(p + '.')))

export const BUILTIN_ROLE_CAPABILITIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  network_admin: [...NETWORK_CAPABILITIES, ...SITE_CAPABILITIES],
  administrator: [...SITE_CAPABILITIES],
  editor: siteCaps([
    'site.content',
    'site.taxonomy.manage',
    'site.comments.moderate',
    'site.media',
    'site.menus.manage',
    'site.analytics.read',
    'site.members.read',
  ]),
  // Publishing own entries is a per-site choice ("authors may publish"); the site settings add it.
  // Authors read private entries and everyone's unpublished work, as editors do (ADR 0009).
  author: siteCaps([
    'site.content.read.private',
    'site.content.read.drafts',
    'site.content.create',
    'site.content.edit.own',
    'site.content.delete.own',
    'site.media.create',
    'site.media.edit.own',
    'site.media.delete.own',
    'site.comments.create',
  ]),
})

/** The capabilities of a role row: from code for built-in roles, from the row for custom roles. */
export function roleCapabilities(role: {
  slug: string
  isBuiltin: boolean
  capabilities: readonly string[]
}): readonly string[] {
  if (role.isBuiltin) return BUILTIN_ROLE_CAPABILITIES[role.slug] ?? []
  return role.capabilities
}
