/**
 * Decides what an uploaded file is from its bytes alone. The client's file name and Content-Type are
 * never trusted: the name only earns a warning when it disagrees with the bytes.
 */
import { open } from 'node:fs/promises'
import { fileTypeFromBuffer } from 'file-type'
import type { AppError } from '../../../platform/errors/index.ts'
import { MediaFileErrors } from './files.errors.ts'
import { mediaTypeOf, type MediaCategory } from './media-types.ts'
import { classifyMarkup, classifyText } from './sniff.text.ts'

export { MarkupScanner, findMarkup } from './markup-scanner.ts'

/**
 * How many bytes from the start of a file `detectMediaType` should see. file-type needs about 4 KB for
 * most formats; office documents (ZIP archives) need their first entries, which 64 KiB nearly always holds.
 */
export const SNIFF_HEAD_BYTES = 64 * 1024

/** Why a file was refused: `not_allowed` is a known type the site has not switched on; `forbidden` is never accepted. */
export type MediaTypeRefusalReason = 'empty' | 'unknown_type' | 'not_allowed' | 'forbidden'

export interface MediaTypeAccepted {
  ok: true
  mime: string
  /** The extension stored copies get (from the bytes, never from the client's name). */
  ext: string
  category: MediaCategory
  /** Set when the client's file name ends in an extension that does not fit the bytes. */
  warning?: 'extension_mismatch'
}

export interface MediaTypeRefusal {
  ok: false
  reason: MediaTypeRefusalReason
  /** What the bytes looked like (`elf`, `html`, `zip` …), when anything was recognised. */
  detected?: string
  /** For `not_allowed`: the type and the category the site would have to allow. */
  mime?: string
  category?: MediaCategory
}

export type MediaTypeResult = MediaTypeAccepted | MediaTypeRefusal

// Programs and packages that run code, by file-type's name: refused whatever a site allows.
const FORBIDDEN_DETECTED = new Set([
  'exe',
  'elf',
  'macho',
  'class',
  'wasm',
  'jar',
  'apk',
  'swf',
  'crx',
  'xpi',
])

// Signatures checked before file-type, so the refusal never depends on its detection order.
const FORBIDDEN_SIGNATURES: readonly { what: string; bytes: readonly number[] }[] = [
  { what: 'exe', bytes: [0x4d, 0x5a] }, // "MZ": DOS and Windows (PE) programs
  { what: 'elf', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { what: 'macho', bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { what: 'macho', bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { what: 'macho', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { what: 'macho', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  // Java class files and universal Mach-O binaries share this one.
  { what: 'class', bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { what: 'wasm', bytes: [0x00, 0x61, 0x73, 0x6d] },
  { what: 'script', bytes: [0x23, 0x21] }, // "#!"
]

const startsWith = (head: Uint8Array, bytes: readonly number[]): boolean =>
  bytes.length <= head.length && bytes.every((b, i) => head[i] === b)

type Detection = { name: string } | { forbidden: string } | undefined

async function detect(head: Uint8Array): Promise<Detection> {
  const signature = FORBIDDEN_SIGNATURES.find((s) => startsWith(head, s.bytes))
  if (signature) return { forbidden: signature.what }
  const found = await fileTypeFromBuffer(head)
  if (found) {
    if (FORBIDDEN_DETECTED.has(found.ext)) return { forbidden: found.ext }
    if (found.ext !== 'xml') return { name: found.ext }
  }
  const verdict = found
    ? (classifyMarkup(new TextDecoder().decode(head, { stream: true })) ?? { kind: 'xml' })
    : classifyText(head)
  if (verdict.kind === 'forbidden') return { forbidden: verdict.what }
  if (verdict.kind === 'binary') return undefined
  return { name: verdict.kind }
}

const extensionOf = (name: string): string | undefined => {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? undefined : base.slice(dot + 1).toLowerCase()
}

/**
 * What the file starting with `head` is, and whether a site allowing `allowed` may keep it. Pass at least
 * the first `SNIFF_HEAD_BYTES` bytes (or the whole file when shorter). `name` is the client's file name:
 * it never changes the decision, it only sets `warning: 'extension_mismatch'`.
 *
 * This looks at the start of the file only; categories in `MARKUP_SCANNED_CATEGORIES` also need the
 * whole file through `MarkupScanner`.
 */
export async function detectMediaType(
  head: Uint8Array,
  options: { allowed: readonly MediaCategory[]; name?: string },
): Promise<MediaTypeResult> {
  if (head.length === 0) return { ok: false, reason: 'empty' }
  const detection = await detect(head)
  if (detection === undefined) return { ok: false, reason: 'unknown_type' }
  if ('forbidden' in detection) return { ok: false, reason: 'forbidden', detected: detection.forbidden }
  const type = mediaTypeOf(detection.name)
  if (!type) return { ok: false, reason: 'unknown_type', detected: detection.name }
  if (!options.allowed.includes(type.category)) {
    return {
      ok: false,
      reason: 'not_allowed',
      detected: detection.name,
      mime: type.mime,
      category: type.category,
    }
  }
  const accepted: MediaTypeAccepted = { ok: true, mime: type.mime, ext: type.ext, category: type.category }
  const nameExtension = options.name === undefined ? undefined : extensionOf(options.name)
  if (nameExtension !== undefined && !type.extensions.includes(nameExtension)) {
    accepted.warning = 'extension_mismatch'
  }
  return accepted
}

/** The coded error for a refusal, with what was detected in `details`. */
export function mediaTypeError(refusal: MediaTypeRefusal): AppError {
  const { reason: _reason, ok: _ok, ...details } = refusal
  const factory = {
    empty: MediaFileErrors.fileEmpty,
    unknown_type: MediaFileErrors.typeUnknown,
    not_allowed: MediaFileErrors.typeNotAllowed,
    forbidden: MediaFileErrors.typeForbidden,
  }[refusal.reason]
  return Object.keys(details).length === 0 ? factory() : factory({ details })
}

/** The first `SNIFF_HEAD_BYTES` of a file on disk (all of it when shorter): what `detectMediaType` reads. */
export async function readFileHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_HEAD_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_HEAD_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
