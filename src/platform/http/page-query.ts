import Type from 'typebox'

/** Items per page when a list query names no `limit`. Services fall back to it for direct calls too. */
export const DEFAULT_PAGE_LIMIT = 50
/** The largest page a list serves unless its route says otherwise. */
export const MAX_PAGE_LIMIT = 100

export interface PageQueryOptions {
  /** Items per page when the query names none (default 50). */
  defaultLimit?: number
  /** The largest `limit` the route accepts (default 100); above it validation answers 400. */
  maxLimit?: number
  /**
   * For lists keyed by something other than a UUIDv7 id (a type key, a term path): the cursor is then an
   * opaque string of at most this length. Without it the cursor is the last item's id (`format: uuid`).
   */
  cursorMaxLength?: number
}

/**
 * The query properties every cursor-paged list shares (`cursor`, `limit`), to spread into the route's
 * querystring schema: `Type.Object({ ...pageQuery(), status: … }, { additionalProperties: false })`.
 * One builder, so pages read the same in every module and in the OpenAPI document (see `pageOf`).
 */
export function pageQuery(options: PageQueryOptions = {}) {
  const defaultLimit = options.defaultLimit ?? DEFAULT_PAGE_LIMIT
  const maxLimit = options.maxLimit ?? MAX_PAGE_LIMIT
  const description = '`nextCursor` of the previous page.'
  return {
    cursor: Type.Optional(
      options.cursorMaxLength === undefined
        ? Type.String({ format: 'uuid', description })
        : Type.String({ maxLength: options.cursorMaxLength, description }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: maxLimit,
        default: defaultLimit,
        description: `Items per page (default ${defaultLimit}, at most ${maxLimit}).`,
      }),
    ),
  }
}
