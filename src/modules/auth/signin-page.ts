import { escapeHtml, htmlDocument } from '../../platform/http/index.ts'

/**
 * The pages of the browser sign-in (site-signin.routes.ts): plain server-made HTML that works without
 * script, valid and accessible (labelled fields, the error announced, the browser's password manager
 * helped by `autocomplete`), light or dark with the reader's system. Never cached, never indexed.
 */

export type SigninStep = { kind: 'password'; email?: string } | { kind: 'code'; challenge: string }

export interface SigninPage {
  /** Where the form posts: the URL it was shown at. */
  action: string
  step: SigninStep
  /** A message to show above the form (a wrong password, too many attempts). */
  error?: string
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:24rem;margin:12vh auto;padding:0 1rem;color:#1d1d1f;background:#fff}' +
  'h1{font-size:1.5rem}label{display:block;font-weight:600;margin:.75rem 0 .25rem}' +
  'input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #6e6e73;border-radius:.25rem;background:inherit;color:inherit}' +
  'button{margin-top:1rem;font:inherit;font-weight:600;padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#1d4ed8;color:#fff;cursor:pointer}' +
  ':focus-visible{outline:3px solid #2563eb;outline-offset:2px}.error{color:#b91c1c;font-weight:600}.hint{color:#4b4b50;font-size:.9rem}' +
  '@media(prefers-color-scheme:dark){body{background:#111;color:#eee}.error{color:#fca5a5}.hint{color:#b4b4b9}button{background:#93c5fd;color:#111}}'

function document(title: string, main: string): string {
  return htmlDocument({
    title,
    style: STYLE,
    body: `    <main>
      <h1>${escapeHtml(title)}</h1>
${main}
    </main>`,
  })
}

/** The sign-in form: email and password, or the second step's code. */
export function signinPage({ action, step, error }: SigninPage): string {
  const alert = error ? `      <p class="error" role="alert">${escapeHtml(error)}</p>\n` : ''
  const fields =
    step.kind === 'password'
      ? `        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required${step.email ? ` value="${escapeHtml(step.email)}"` : ' autofocus'}>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required${step.email ? ' autofocus' : ''}>`
      : `        <input type="hidden" name="challenge" value="${escapeHtml(step.challenge)}">
        <label for="code">Verification code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus aria-describedby="code-hint">
        <p class="hint" id="code-hint">The six digits from your authenticator app, or one of your recovery codes.</p>`
  return document(
    step.kind === 'password' ? 'Sign in' : 'Two-step verification',
    `${alert}      <form method="post" action="${escapeHtml(action)}">
${fields}
        <button type="submit">${step.kind === 'password' ? 'Sign in' : 'Verify'}</button>
      </form>`,
  )
}

/** A page that explains why the sign-in cannot go on, with a way forward. */
export function signinProblemPage(input: {
  title: string
  text: string
  link?: { href: string; label: string }
}): string {
  const link = input.link
    ? `\n      <p><a href="${escapeHtml(input.link.href)}">${escapeHtml(input.link.label)}</a></p>`
    : ''
  return document(input.title, `      <p>${escapeHtml(input.text)}</p>${link}`)
}
