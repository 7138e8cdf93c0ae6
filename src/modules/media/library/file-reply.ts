import type { FastifyReply } from 'fastify'
import { SANDBOXED_FILE_CSP } from '../../../platform/http/index.ts'
import type { ObjectRead } from '../../../platform/storage/index.ts'

/** Types a browser may show inline; anything else is downloaded. */
const INLINE = /^(image\/(?!svg)|audio\/|video\/)/

/** A stored file's answer, for editors (the API) and readers (the site's host) alike. */
export type StoredFileAnswer =
  | { kind: 'not-modified'; etag: string }
  | { kind: 'unsatisfiable'; etag: string; size: number }
  | { kind: 'file'; etag: string; read: ObjectRead; mimeType: string; category: string; filename: string }

/**
 * Sends a stored file: its ETag, ranges (206/416), `nosniff`, inline only for images, audio and video
 * (an attachment otherwise), and a sandboxing CSP for SVG and PDF, which can carry script.
 */
export function sendStoredFile(
  reply: FastifyReply,
  answer: StoredFileAnswer,
  cacheControl: string,
): FastifyReply {
  reply
    .header('etag', answer.etag)
    .header('cache-control', cacheControl)
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff')
  if (answer.kind === 'not-modified') return reply.code(304).send()
  if (answer.kind === 'unsatisfiable')
    return reply.code(416).header('content-range', `bytes */${answer.size}`).send()
  const disposition = INLINE.test(answer.mimeType) ? 'inline' : 'attachment'
  reply
    .type(answer.mimeType)
    .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(answer.filename)}`)
  if (answer.category === 'svg' || answer.category === 'pdf')
    reply.header('content-security-policy', SANDBOXED_FILE_CSP)
  const { read } = answer
  if (read.range) {
    reply
      .code(206)
      .header('content-range', `bytes ${read.range.start}-${read.range.end}/${read.size}`)
      .header('content-length', String(read.range.end - read.range.start + 1))
  } else {
    reply.header('content-length', String(read.size))
  }
  return reply.send(read.body)
}
