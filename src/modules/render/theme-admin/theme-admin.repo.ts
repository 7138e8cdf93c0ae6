import { and, asc, count, desc, eq, gt, inArray, lt, ne, notExists, sql } from 'drizzle-orm'
import { networkTransaction, schema, type Orm, type Tx } from '../../../platform/db/index.ts'
import type { ThemeFile, ThemeManifest } from '../themes/index.ts'

/**
 * The only SQL of the themes API. Installed themes and their files are network tables (no site); a
 * site's theme row and its render errors are site tables, held to the bound site by row-level security
 * as well as by every statement here.
 */

const { themes, themeFiles, siteThemes, themeRenderErrors, sites } = schema

export interface InstalledThemeRow {
  id: string
  version: string
  manifest: ThemeManifest
  fileCount: number
  totalBytes: number
  installedBy: string | null
  installedAt: Date
  updatedAt: Date
}

export type SiteThemeRow = typeof siteThemes.$inferSelect
export type RenderErrorRow = typeof themeRenderErrors.$inferSelect

/** Render errors kept per site: inserting one removes the older ones past this many. */
export const RENDER_ERRORS_KEPT = 50

/** Files inserted per statement (each holds up to 2 MiB; a theme up to 500 files). */
const FILE_BATCH = 50

const themeColumns = {
  id: themes.id,
  version: themes.version,
  manifest: themes.manifest,
  fileCount: themes.fileCount,
  totalBytes: themes.totalBytes,
  installedBy: themes.installedBy,
  installedAt: themes.installedAt,
  updatedAt: themes.updatedAt,
}

/**
 * Serialises the writes that decide whether a theme is in use for the rest of the transaction: a site
 * choosing the theme and a network admin deleting or replacing it.
 */
export async function lockTheme(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`theme:${id}`}, 0))`)
}

/** Installed themes after `after` by id, ascending (the primary key's order). */
export async function listInstalledThemes(
  tx: Tx,
  q: { after?: string | undefined; limit: number },
): Promise<InstalledThemeRow[]> {
  const rows = await tx
    .select(themeColumns)
    .from(themes)
    .where(q.after === undefined ? undefined : gt(themes.id, q.after))
    .orderBy(asc(themes.id))
    .limit(q.limit)
  return rows as InstalledThemeRow[]
}

export async function findInstalledTheme(tx: Tx, id: string): Promise<InstalledThemeRow | undefined> {
  const [row] = await tx.select(themeColumns).from(themes).where(eq(themes.id, id))
  return row as InstalledThemeRow | undefined
}

/**
 * Live sites (not deleted) whose row names each of `ids`, in one statement. Needs network scope to
 * count every site.
 */
export async function countSitesUsing(tx: Tx, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await tx
    .select({ themeId: siteThemes.themeId, sites: count() })
    .from(siteThemes)
    .innerJoin(sites, eq(sites.id, siteThemes.siteId))
    .where(and(inArray(siteThemes.themeId, [...ids]), ne(sites.status, 'deleted')))
    .groupBy(siteThemes.themeId)
  return new Map(rows.map((r) => [r.themeId, Number(r.sites)]))
}

/** Live sites that never chose a theme: they use the default one. Needs network scope. */
export async function countSitesWithoutTheme(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ sites: count() })
    .from(sites)
    .where(
      and(
        ne(sites.status, 'deleted'),
        notExists(
          tx
            .select({ one: sql`1` })
            .from(siteThemes)
            .where(eq(siteThemes.siteId, sites.id)),
        ),
      ),
    )
  return Number(row?.sites ?? 0)
}

/** Inserts or replaces an installed theme with its files (the caller holds `lockTheme`). */
export async function saveInstalledTheme(
  tx: Tx,
  theme: {
    id: string
    version: string
    manifest: ThemeManifest
    files: readonly ThemeFile[]
    installedBy: string | null
    replace: boolean
  },
): Promise<InstalledThemeRow> {
  const values = {
    version: theme.version,
    manifest: theme.manifest,
    fileCount: theme.files.length,
    totalBytes: theme.files.reduce((sum, f) => sum + f.bytes.length, 0),
    installedBy: theme.installedBy,
    updatedAt: new Date(),
  }
  const [row] = theme.replace
    ? await tx.update(themes).set(values).where(eq(themes.id, theme.id)).returning(themeColumns)
    : await tx
        .insert(themes)
        .values({ id: theme.id, ...values })
        .returning(themeColumns)
  if (!row) throw new TypeError('saving a theme returned no row')
  await tx.delete(themeFiles).where(eq(themeFiles.themeId, theme.id))
  for (let at = 0; at < theme.files.length; at += FILE_BATCH)
    await tx
      .insert(themeFiles)
      .values(
        theme.files
          .slice(at, at + FILE_BATCH)
          .map((f) => ({ themeId: theme.id, path: f.path, bytes: f.bytes })),
      )
  return row as InstalledThemeRow
}

export async function deleteInstalledTheme(tx: Tx, id: string): Promise<void> {
  await tx.delete(themes).where(eq(themes.id, id))
}

/**
 * The stored files of an installed theme, or undefined when it is not installed: what every node's theme
 * registry loads an installed theme from. Themes are network data, read at network scope.
 */
export function readInstalledThemeFiles(orm: Orm, id: string): Promise<ThemeFile[] | undefined> {
  return networkTransaction(orm, "load an installed theme's files for the registry", async (tx) => {
    const [theme] = await tx.select({ id: themes.id }).from(themes).where(eq(themes.id, id))
    if (!theme) return undefined
    const rows = await tx
      .select({ path: themeFiles.path, bytes: themeFiles.bytes })
      .from(themeFiles)
      .where(eq(themeFiles.themeId, id))
    return rows
  })
}

export async function findSiteTheme(tx: Tx, siteId: string): Promise<SiteThemeRow | undefined> {
  const [row] = await tx.select().from(siteThemes).where(eq(siteThemes.siteId, siteId))
  return row
}

export async function upsertSiteTheme(
  tx: Tx,
  row: { siteId: string; themeId: string; settings: Record<string, unknown> },
): Promise<SiteThemeRow> {
  const [saved] = await tx
    .insert(siteThemes)
    .values({ ...row, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: siteThemes.siteId,
      set: { themeId: row.themeId, settings: row.settings, updatedAt: new Date() },
    })
    .returning()
  if (!saved) throw new TypeError('saving a site theme returned no row')
  return saved
}

/** Records a render error and removes the site's older ones past `RENDER_ERRORS_KEPT`. */
export async function insertRenderError(tx: Tx, row: typeof themeRenderErrors.$inferInsert): Promise<void> {
  await tx.insert(themeRenderErrors).values(row)
  const kept = tx
    .select({ id: themeRenderErrors.id })
    .from(themeRenderErrors)
    .where(eq(themeRenderErrors.siteId, row.siteId))
    .orderBy(desc(themeRenderErrors.id))
    .limit(1)
    .offset(RENDER_ERRORS_KEPT - 1)
  await tx
    .delete(themeRenderErrors)
    .where(and(eq(themeRenderErrors.siteId, row.siteId), lt(themeRenderErrors.id, sql`(${kept})`)))
}

/** The site's render errors, newest first (at most `RENDER_ERRORS_KEPT` are kept). */
export function listRenderErrors(tx: Tx, siteId: string): Promise<RenderErrorRow[]> {
  return tx
    .select()
    .from(themeRenderErrors)
    .where(eq(themeRenderErrors.siteId, siteId))
    .orderBy(desc(themeRenderErrors.id))
    .limit(RENDER_ERRORS_KEPT)
}
