import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId, sqlStateOf, type Tx } from '../../../platform/db/index.ts'
import { isValidText } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import {
  deleteFolder,
  findFolder,
  folderContents,
  folderPath,
  insertFolder,
  listFolders,
  siblingNamed,
  subtreeDepth,
  updateFolder,
  type FolderRow,
} from './folders.repo.ts'
import { MediaErrors } from './media.errors.ts'
import type { CreateFolderBody, FolderViewData, UpdateFolderBody } from './media.schema.ts'

/**
 * The folders of a site's media library: a tree at most `MAX_FOLDER_DEPTH` deep, names unique among
 * siblings whatever their case. Browsing needs what browsing the library needs; shaping the tree needs
 * `site.media.edit.any` (authors file their own items in the folders there are).
 */

export const MAX_FOLDER_DEPTH = 8
const READ = 'site.media.create'
const MANAGE = 'site.media.edit.any'

function view(row: FolderRow, items = 0): FolderViewData {
  return {
    id: row.id,
    parentId: row.parentId,
    name: row.name,
    items,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** A folder name as kept: trimmed, NFC; refused with `/`, `\` or control characters, or when empty. */
function folderName(raw: string): string {
  const name = raw.normalize('NFC').trim()
  if (name === '' || /[/\\]/.test(name) || !isValidText(name) || /\p{Cc}/u.test(name))
    throw MediaErrors.folderNameInvalid()
  return name
}

/** The folder a change names as parent (or an item's folder): it must exist on the site. */
export async function assertFolder(tx: Tx, siteId: string, id: string | null): Promise<void> {
  if (id !== null && !(await findFolder(tx, siteId, id)))
    throw MediaErrors.folderNotFound({ details: { id } })
}

/** Name clashes that slipped past the check (two requests at once) end as the same coded 409. */
function nameClash(err: unknown): unknown {
  return sqlStateOf(err) === '23505' ? MediaErrors.folderNameTaken() : err
}

export type FoldersService = ReturnType<typeof createFoldersService>

export function createFoldersService() {
  async function list(ctx: Ctx): Promise<FolderViewData[]> {
    requireCapability(ctx, READ)
    const site = requireSite(ctx)
    const rows = await ctx.tx((tx) => listFolders(tx, site.id))
    return rows.map((row) => view(row, row.items))
  }

  async function create(ctx: Ctx, input: CreateFolderBody): Promise<FolderViewData> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const name = folderName(input.name)
    const parentId = input.parentId?.toLowerCase() ?? null
    return ctx
      .tx(async (tx) => {
        if (parentId !== null) {
          if (!(await findFolder(tx, site.id, parentId, true)))
            throw MediaErrors.folderNotFound({ details: { id: parentId } })
          const depth = (await folderPath(tx, site.id, parentId)).length
          if (depth >= MAX_FOLDER_DEPTH)
            throw MediaErrors.folderCycle({ details: { reason: 'too_deep', maxDepth: MAX_FOLDER_DEPTH } })
        }
        if (await siblingNamed(tx, { siteId: site.id, parentId, name })) throw MediaErrors.folderNameTaken()
        const row = await insertFolder(tx, { id: newId(), siteId: site.id, parentId, name })
        await recordAudit(ctx, tx, {
          action: 'media.folder.create',
          target: { type: 'media_folder', id: row.id },
          summary: { name, parentId },
        })
        return view(row)
      })
      .catch((err: unknown) => {
        throw nameClash(err)
      })
  }

  async function update(ctx: Ctx, id: string, input: UpdateFolderBody): Promise<FolderViewData> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const name = input.name === undefined ? undefined : folderName(input.name)
    return ctx
      .tx(async (tx) => {
        const before = await findFolder(tx, site.id, id, true)
        if (!before) throw MediaErrors.folderNotFound({ details: { id } })
        const parentId =
          input.parentId === undefined ? before.parentId : (input.parentId?.toLowerCase() ?? null)
        if (parentId !== before.parentId && parentId !== null) {
          // The new parent and its ancestors: the folder may be none of them, and the tree stays shallow.
          const path = await folderPath(tx, site.id, parentId)
          if (path.length === 0) throw MediaErrors.folderNotFound({ details: { id: parentId } })
          if (path.includes(before.id))
            throw MediaErrors.folderCycle({ details: { reason: 'into_itself', parentId } })
          if (path.length + 1 + (await subtreeDepth(tx, site.id, before.id)) > MAX_FOLDER_DEPTH)
            throw MediaErrors.folderCycle({ details: { reason: 'too_deep', maxDepth: MAX_FOLDER_DEPTH } })
        }
        const newName = name ?? before.name
        if (
          (newName !== before.name || parentId !== before.parentId) &&
          (await siblingNamed(tx, { siteId: site.id, parentId, name: newName, exceptId: before.id }))
        )
          throw MediaErrors.folderNameTaken()
        const row = await updateFolder(tx, site.id, id, { name: newName, parentId })
        if (!row) throw MediaErrors.folderNotFound({ details: { id } })
        await recordAudit(ctx, tx, {
          action: 'media.folder.update',
          target: { type: 'media_folder', id },
          summary: {
            before: { name: before.name, parentId: before.parentId },
            after: { name: newName, parentId },
          },
        })
        const contents = await folderContents(tx, site.id, id)
        return view(row, contents.items)
      })
      .catch((err: unknown) => {
        throw nameClash(err)
      })
  }

  /** Deletes an empty folder; one holding files or folders is refused with its counts. */
  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const before = await findFolder(tx, site.id, id, true)
      if (!before) throw MediaErrors.folderNotFound({ details: { id } })
      const contents = await folderContents(tx, site.id, id)
      if (contents.items > 0 || contents.folders > 0) throw MediaErrors.folderNotEmpty({ details: contents })
      try {
        await tx.transaction((sp) => deleteFolder(sp, site.id, id))
      } catch (err) {
        // An item filed in it meanwhile (its foreign key): still not empty.
        if (sqlStateOf(err) === '23503') throw MediaErrors.folderNotEmpty({ details: contents })
        throw err
      }
      await recordAudit(ctx, tx, {
        action: 'media.folder.delete',
        target: { type: 'media_folder', id },
        summary: { name: before.name, parentId: before.parentId },
      })
    })
  }

  return { list, create, update, remove }
}
