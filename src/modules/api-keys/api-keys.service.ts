import { can, requireCapability, requireUser, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { hashToken, randomToken } from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import { AuthErrors } from '../auth/index.ts'
import { assertOutranks, capabilityScope, expandCapabilities, roleCapabilities } from '../rbac/index.ts'
import { SitesErrors, findSiteWithMembership } from '../sites/index.ts'
import { ApiKeysErrors } from './api-keys.errors.ts'
import {
  findApiKey,
  findNetworkRole,
  insertApiKey,
  listApiKeysOfUser,
  revokeApiKey,
  type ApiKeyRow,
} from './api-keys.repo.ts'

/**
 * API keys: long-lived credentials a user mints for scripts and integrations. A key acts for its owner,
 * limited to its scopes (and to one site when bound). The gate in the auth module re-checks the owner's
 * capabilities on every use; the check here only stops a user from minting a key for something they
 * cannot do today, so that a key never even claims more than its owner.
 */

/** The prefix of every key, so that leaked keys are recognisable by secret scanners. */
export const KEY_PREFIX = 'colophon_'
const DAY_MS = 24 * 60 * 60 * 1000

export interface ApiKeysServiceDeps {
  now?: () => Date
}

export type ApiKeyStatus = 'active' | 'expired' | 'revoked'

export interface ApiKeyView {
  id: string
  name: string
  ownerId: string
  scopes: string[]
  site: { id: string; slug: string; name: string } | null
  status: ApiKeyStatus
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  lastUsedIp: string | null
  revokedAt: string | null
}

export interface CreateApiKeyInput {
  name: string
  scopes: readonly string[]
  site?: string | undefined
  expiresAt?: string | undefined
  expiresInDays?: number | undefined
}

/** `colophon_<key id as 32 hex digits>_<secret>`: the id lets the gate find the key without a scan. */
export function formatKey(keyId: string, secret: string): string {
  return `${KEY_PREFIX}${keyId.replace(/-/g, '')}_${secret}`
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>

export function createApiKeysService(deps: ApiKeysServiceDeps = {}) {
  const now = deps.now ?? (() => new Date())

  function view(row: ApiKeyRow): ApiKeyView {
    const at = now()
    const status: ApiKeyStatus = row.revokedAt
      ? 'revoked'
      : row.expiresAt && row.expiresAt <= at
        ? 'expired'
        : 'active'
    return {
      id: row.id,
      name: row.name,
      ownerId: row.userId,
      scopes: row.scopes,
      site: row.site,
      status,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      lastUsedIp: row.lastUsedIp,
      revokedAt: row.revokedAt?.toISOString() ?? null,
    }
  }

  function expiryOf(input: CreateApiKeyInput): Date | null {
    if (input.expiresAt !== undefined && input.expiresInDays !== undefined)
      throw ApiKeysErrors.expiryInvalid()
    if (input.expiresInDays !== undefined) return new Date(now().getTime() + input.expiresInDays * DAY_MS)
    if (input.expiresAt === undefined) return null
    const at = new Date(input.expiresAt)
    if (Number.isNaN(at.getTime()) || at <= now()) throw ApiKeysErrors.expiryInvalid()
    return at
  }

  /**
   * What the caller holds now, for the key being minted. Network-wide: what their network role grants
   * (site capabilities included only when that role grants them on every site). Site-bound: the site
   * capabilities they hold on that site, from their network role and their membership together.
   */
  async function heldCapabilities(tx: Tx, userId: string, siteId: string | undefined): Promise<Set<string>> {
    const networkRole = await findNetworkRole(tx, userId)
    const networkCaps = networkRole ? roleCapabilities(networkRole) : []
    if (siteId === undefined) return new Set(networkCaps)
    const found = await findSiteWithMembership(tx, { id: siteId }, userId)
    if (!found || found.site.status === 'deleted') throw SitesErrors.notFound({ details: { site: siteId } })
    const siteCaps = [...networkCaps, ...(found.memberRole ? roleCapabilities(found.memberRole) : [])].filter(
      (c) => capabilityScope(c) === 'site',
    )
    if (!found.memberRole && siteCaps.length === 0)
      throw ApiKeysErrors.siteNotMember({ details: { site: siteId } })
    return new Set(siteCaps)
  }

  function scopesOf(input: CreateApiKeyInput): string[] {
    const { capabilities, unknown } = expandCapabilities(input.scopes)
    if (unknown.length > 0) throw ApiKeysErrors.scopeUnknown({ details: { scopes: unknown } })
    if (input.site !== undefined) {
      const outside = capabilities.filter((c) => capabilityScope(c) !== 'site')
      if (outside.length > 0) throw ApiKeysErrors.scopeNotSite({ details: { capabilities: outside } })
    }
    return capabilities
  }

  /** Mints a key for the caller. The secret is returned here once and exists nowhere else afterwards. */
  async function create(ctx: Ctx, input: CreateApiKeyInput): Promise<ApiKeyView & { secret: string }> {
    const actor = requireUser(ctx)
    // The route is session-only already; a key minting keys would let a leaked key outlive its revocation.
    if (actor.kind !== 'user') throw AuthErrors.sessionRequired()
    const scopes = scopesOf(input)
    const expiresAt = expiryOf(input)
    const secret = randomToken(32)
    const id = newId()
    const row = await ctx.tx(async (tx) => {
      const held = await heldCapabilities(tx, actor.userId, input.site)
      const missing = scopes.filter((c) => !held.has(c))
      if (missing.length > 0) throw ApiKeysErrors.scopeNotHeld({ details: { capabilities: missing } })
      await insertApiKey(tx, {
        id,
        userId: actor.userId,
        name: input.name.trim(),
        secretHash: hashToken(secret),
        scopes,
        siteId: input.site ?? null,
        expiresAt,
      })
      await recordAudit(ctx, tx, {
        action: 'api_keys.key.create',
        target: { type: 'api_key', id },
        siteId: input.site ?? null,
        summary: { name: input.name.trim(), scopes, siteId: input.site ?? null, expiresAt },
      })
      return findApiKey(tx, id)
    })
    if (!row) throw new TypeError('an API key just inserted could not be read back')
    return { ...view(row), secret: formatKey(id, secret) }
  }

  /**
   * The keys of the caller, or of `userId` for someone holding `network.users.manage` whom that user does
   * not outrank (rbac's `assertOutranks`, the rule of every action on another user).
   */
  async function list(
    ctx: Ctx,
    query: { userId?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<ApiKeyView>> {
    const actor = requireUser(ctx)
    const userId = query.userId ?? actor.userId
    const someoneElse = userId !== actor.userId
    if (someoneElse) requireCapability(ctx, 'network.users.manage')
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx(async (tx) => {
      if (someoneElse) await assertOutranks(ctx, tx, userId)
      return listApiKeysOfUser(tx, { userId, before: query.cursor, limit: limit + 1 })
    })
    return pageOf(rows, limit, view, (row) => row.id)
  }

  /**
   * Revokes a key: the caller's own (a key may revoke itself), or anyone's with `network.users.manage`,
   * unless its owner outranks the caller (`assertOutranks`). Without the capability, someone else's key
   * answers "not found" so that key ids of other users reveal nothing. Revoking a revoked key changes
   * nothing and records nothing.
   */
  async function revoke(ctx: Ctx, keyId: string): Promise<ApiKeyView> {
    const actor = requireUser(ctx)
    return ctx.tx(async (tx) => {
      const row = await findApiKey(tx, keyId)
      if (!row || (row.userId !== actor.userId && !can(ctx, 'network.users.manage'))) {
        throw ApiKeysErrors.notFound()
      }
      if (row.userId !== actor.userId) await assertOutranks(ctx, tx, row.userId)
      if (row.revokedAt) return view(row)
      const at = now()
      await revokeApiKey(tx, keyId, at)
      await recordAudit(ctx, tx, {
        action: 'api_keys.key.revoke',
        target: { type: 'api_key', id: keyId },
        siteId: row.site?.id ?? null,
        summary: { name: row.name, ownerId: row.userId },
      })
      return view({ ...row, revokedAt: at })
    })
  }

  return { create, list, revoke }
}
