/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A minimal self-contained page for states where no theme can render (setup, maintenance, errors).
 * No scripts, no external resources: it must work under the strictest CSP.
 */
export function plainPage({ title, body }: { title: string; body: string[] }): string {
  const paragraphs = body.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n    ')
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex">
    <title>${escapeHtml(title)}</title>
    <style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}</style>
  </head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    ${paragraphs}
  </body>
</html>
`
}
