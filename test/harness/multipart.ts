/** One part of a multipart/form-data body: a field, or a file when it has a file name. */
export interface FormPart {
  name: string
  filename?: string
  contentType?: string
  body: Buffer | string
}

/** A multipart/form-data body as a browser sends it, with the Content-Type header that names its boundary. */
export function multipartBody(parts: readonly FormPart[]): {
  payload: Buffer
  headers: Record<string, string>
} {
  const boundary = `----colophon${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const file = part.filename === undefined ? '' : `; filename="${part.filename}"`
    const type = part.contentType ? `Content-Type: ${part.contentType}\r\n` : ''
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${file}\r\n${type}\r\n`,
      ),
      Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body),
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}
