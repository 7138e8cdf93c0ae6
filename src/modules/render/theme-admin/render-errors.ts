import { asSystem, type CtxLogger, type SiteRef } from '../../../platform/access/index.ts'
import { loggableUrl } from '../../../platform/log/index.ts'
import { newId, type Orm } from '../../../platform/db/index.ts'
import { isAppError } from '../../../platform/errors/index.ts'
import { insertRenderError } from './theme-admin.repo.ts'

/**
 * The record of a site's failed pages that its admins read through the API (`GET …/theme/errors`): the
 * template and the engine's message, which readers never see. Only failures of the theme are recorded
 * (a template that failed, a theme that could not be loaded); anything else is the server's, in its log.
 *
 * Recording happens on the reader's failed request, so it never throws, and it is throttled: a template
 * that fails on every request is recorded once per `throttleMs` for the same site, template and message,
 * so a burst of readers does not become a burst of writes.
 */

export interface RenderErrorInput {
  site: SiteRef
  /** The request path (the query string is dropped). */
  path: string
  requestId: string
  /** What the page threw: COLOPHON_RENDER_TEMPLATE_FAILED or COLOPHON_RENDER_THEME_INVALID are recorded. */
  error?: unknown
  /** A theme that failed to load and was replaced by the default (the registry's fallback). */
  fallback?: { themeId: string; version: string | null; message: string }
  log: CtxLogger
}

export interface RenderErrorRecorderDeps {
  orm: Orm
  throttleMs?: number
  clock?: () => number
}

export type RecordRenderError = (input: RenderErrorInput) => Promise<boolean>

interface ThemeFailure {
  themeId: string
  version: string | null
  template: string | null
  message: string
}

/** The theme failure in `input`, or undefined when the page failed for another reason. */
function failureOf(input: RenderErrorInput): ThemeFailure | undefined {
  if (input.fallback)
    return {
      themeId: input.fallback.themeId,
      version: input.fallback.version,
      template: null,
      message: `the theme could not be loaded, the default theme was used: ${input.fallback.message}`,
    }
  const err = input.error
  if (!isAppError(err)) return undefined
  const details = (err.details ?? {}) as Record<string, unknown>
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : null)
  if (err.code === 'COLOPHON_RENDER_TEMPLATE_FAILED')
    return {
      themeId: text('theme') ?? 'unknown',
      version: text('version'),
      template: text('template'),
      message: text('message') ?? err.message,
    }
  if (err.code === 'COLOPHON_RENDER_THEME_INVALID') {
    const issues = (details.issues as { path: string; message: string }[] | undefined) ?? []
    return {
      themeId: text('theme') ?? 'unknown',
      version: null,
      template: null,
      message: `the theme is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    }
  }
  return undefined
}

/**
 * `recordRenderError(input)`: records the theme failure behind a failed page for the site's admins;
 * resolves true when a row was written, false when the failure is not the theme's, was throttled, or
 * could not be written (then logged). Never rejects.
 */
export function createRenderErrorRecorder(deps: RenderErrorRecorderDeps): RecordRenderError {
  const throttleMs = deps.throttleMs ?? 10_000
  const now = deps.clock ?? Date.now
  const lastRecorded = new Map<string, number>()

  return async function recordRenderError(input) {
    try {
      const failure = failureOf(input)
      if (!failure) return false
      const key = `${input.site.id}\0${failure.template ?? ''}\0${failure.message}`
      const at = now()
      const last = lastRecorded.get(key)
      if (last !== undefined && at - last < throttleMs) return false
      if (lastRecorded.size > 1000) lastRecorded.clear()
      lastRecorded.set(key, at)
      // The reader is anonymous and holds no capability: the record is the platform's, bound to the site.
      const ctx = asSystem({
        orm: deps.orm,
        reason: 'record a render error',
        site: input.site,
        log: input.log,
      })
      await ctx.tx((tx) =>
        insertRenderError(tx, {
          id: newId(),
          siteId: input.site.id,
          // A preview link's token is a secret: its admins see the page, not the key to it.
          path: loggableUrl(input.path.split('?')[0] ?? '').slice(0, 2000),
          themeId: failure.themeId.slice(0, 100),
          themeVersion: failure.version,
          template: failure.template?.slice(0, 200) ?? null,
          message: failure.message.slice(0, 2000),
          requestId: input.requestId.slice(0, 200),
        }),
      )
      return true
    } catch (err) {
      input.log.warn({ err }, 'a render error could not be recorded')
      return false
    }
  }
}
