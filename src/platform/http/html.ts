/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A complete HTML document of our own (not a theme's): English, `noindex`, its style inline (the CSP allows
 * inline styles, never inline scripts), `head` for anything more in the head, `body` as given.
 */
export function htmlDocument({
  title,
  style,
  head = '',
  body,
}: {
  title: string
  style: string
  head?: string
  body: string
}): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex">${head}
    <title>${escapeHtml(title)}</title>
    <style>${style}</style>
  </head>
  <body>
${body}
  </body>
</html>
`
}

const PLAIN_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}'

/**
 * A minimal self-contained page for states where no theme can render (setup, maintenance, errors).
 * No scripts, no external resources: it must work under the strictest CSP.
 */
export function plainPage({ title, body }: { title: string; body: string[] }): string {
  const paragraphs = body.map((line) => `    <p>${escapeHtml(line)}</p>`).join('\n')
  return htmlDocument({ title, style: PLAIN_STYLE, body: `    <h1>${escapeHtml(title)}</h1>\n${paragraphs}` })
}
