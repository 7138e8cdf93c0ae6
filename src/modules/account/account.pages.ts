import { escapeHtml, htmlDocument } from '../../platform/http/index.ts'

/**
 * The pages that emailed links open. Each is a small form; `account.client.js` reads the token from the
 * URL fragment (which browsers never send to a server, so it stays out of logs and Referer headers),
 * removes it from the address bar, and posts the form to the public API.
 */

export interface AccountPage {
  path: string
  title: string
  intro: string
  /** The API endpoint the form posts to, with the token added by the script. */
  action: string
  fields: {
    name: string
    label: string
    type: 'password' | 'text'
    autocomplete: string
    required: boolean
  }[]
  submit: string
  success: string
}

const NEW_PASSWORD = {
  name: 'password',
  label: 'New password (10 characters or more)',
  type: 'password' as const,
  autocomplete: 'new-password',
  required: true,
}

export const ACCOUNT_PAGES: readonly AccountPage[] = [
  {
    path: '/admin/reset-password',
    title: 'Choose a new password',
    intro: 'Enter a new password for your account. Every device signed in to it will be signed out.',
    action: '/api/v1/auth/password-reset/confirm',
    fields: [NEW_PASSWORD],
    submit: 'Change password',
    success: 'Your password has been changed. You can now sign in with it.',
  },
  {
    path: '/admin/accept-invite',
    title: 'Accept your invitation',
    intro: 'Choose the name others will see and a password to finish creating your account.',
    action: '/api/v1/users/invitations/accept',
    fields: [
      { name: 'name', label: 'Your name (optional)', type: 'text', autocomplete: 'name', required: false },
      NEW_PASSWORD,
    ],
    submit: 'Create my account',
    success: 'Your account is ready. You can now sign in.',
  },
  {
    // Site invitations (rbac): the path is rbac's JOIN_SITE_PATH; the invitation test opens the mailed link.
    path: '/admin/join-site',
    title: 'Join the site',
    intro:
      'Accept the invitation to join the site. If you already have an account with this address, just confirm: it joins as it is. If not, choose your name and a password to create one.',
    action: '/api/v1/site-invitations/accept',
    fields: [
      {
        name: 'name',
        label: 'Your name (new accounts only)',
        type: 'text',
        autocomplete: 'name',
        required: false,
      },
      {
        ...NEW_PASSWORD,
        label:
          'Password for your new account (10 characters or more; leave empty if you already have an account)',
        required: false,
      },
    ],
    submit: 'Join the site',
    success:
      'You are now a member of the site. Sign in with your account, or with the password you just chose if you had none.',
  },
  {
    path: '/admin/confirm-email',
    title: 'Confirm your new email address',
    intro: 'Confirm that this address should become the one you sign in with.',
    action: '/api/v1/auth/email/confirm',
    fields: [],
    submit: 'Confirm address',
    success: 'Your email address has been changed. Sign in with the new one from now on.',
  },
]

export function renderAccountPage(page: AccountPage): string {
  const fields = page.fields
    .map(
      (f) => `<label>${escapeHtml(f.label)}
        <input name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}"${f.required ? ' required' : ''}${f.type === 'password' ? ' minlength="10" maxlength="256"' : ' maxlength="200"'}>
      </label>`,
    )
    .join('\n        ')
  return htmlDocument({
    title: page.title,
    style: ACCOUNT_STYLE,
    head: `
    <meta name="referrer" content="no-referrer">
    <link rel="icon" href="data:,">
    <script src="/admin/account.js" defer></script>`,
    body: `    <main>
      <h1>${escapeHtml(page.title)}</h1>
      <form id="account-form" data-action="${escapeHtml(page.action)}" data-success="${escapeHtml(page.success)}" novalidate>
        <p>${escapeHtml(page.intro)}</p>
        ${fields}
        <button type="submit">${escapeHtml(page.submit)}</button>
      </form>
      <p id="account-status" role="status"></p>
      <p id="account-error" role="alert"></p>
      <noscript><p>This page needs JavaScript to read the code in its link.</p></noscript>
    </main>`,
  })
}

const ACCOUNT_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:30rem;margin:12vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}label{display:block;margin:1rem 0}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit}button{padding:.5rem 1rem;font:inherit}[role=alert]{color:#b00020}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}[role=alert]{color:#ff8a80}}'
