import { escapeHtml } from '../../platform/http/index.ts'
import type { MailMessage } from '../../platform/mail/index.ts'

/**
 * The messages sent to people about their account, each as plain text and simple HTML. Plain string
 * building on purpose: no template engine, so nothing in a name or address can reach code (a template
 * language evaluates expressions; these functions only concatenate). Subjects are fixed text, so no
 * user input ever lands in a mail header. Names and addresses are escaped in HTML and stripped of
 * control characters in text, so a crafted name cannot forge extra lines or markup.
 */

const PRODUCT = 'Colophon'

/** Keeps user-supplied text on one line and bounded in a plain-text mail. */
function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function page(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n')
  const button = link
    ? `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>\n<p style="color:#666;font-size:13px">If the button does not work, copy this address into your browser:<br>${escapeHtml(link.href)}</p>`
    : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${PRODUCT}</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;color:#222;max-width:36rem">
${body}${button}
<p style="color:#666;font-size:13px">— ${PRODUCT}</p>
</body></html>
`
}

function text(lines: string[]): string {
  return `${lines.join('\n')}\n\n— ${PRODUCT}\n`
}

export function passwordResetMail(input: { to: string; name: string; link: string }): MailMessage {
  const name = oneLine(input.name)
  return {
    to: input.to,
    subject: `Reset your ${PRODUCT} password`,
    text: text([
      `Hello ${name},`,
      '',
      'Someone (hopefully you) asked to reset the password of your account. Open this link within one hour to choose a new one:',
      '',
      input.link,
      '',
      'The link works once. If you did not ask for it, ignore this message: your password stays as it is.',
    ]),
    html: page(
      [
        `Hello ${escapeHtml(name)},`,
        'Someone (hopefully you) asked to reset the password of your account. Open this link within one hour to choose a new one.',
        'The link works once. If you did not ask for it, ignore this message: your password stays as it is.',
      ],
      { href: input.link, label: 'Choose a new password' },
    ),
  }
}

export function invitationMail(input: {
  to: string
  inviterName: string
  siteName: string | null
  link: string
}): MailMessage {
  const inviter = oneLine(input.inviterName)
  const site = input.siteName ? oneLine(input.siteName) : null
  const where = site ? `the site “${site}” on ${PRODUCT}` : PRODUCT
  const whereHtml = site ? `the site “${escapeHtml(site)}” on ${PRODUCT}` : PRODUCT
  return {
    to: input.to,
    subject: `You are invited to ${PRODUCT}`,
    text: text([
      'Hello,',
      '',
      `${inviter} invited you to ${where}. Open this link within 7 days to choose a password and activate your account:`,
      '',
      input.link,
      '',
      'If you do not know what this is about, ignore this message.',
    ]),
    html: page(
      [
        'Hello,',
        `${escapeHtml(inviter)} invited you to ${whereHtml}. Open this link within 7 days to choose a password and activate your account.`,
        'If you do not know what this is about, ignore this message.',
      ],
      { href: input.link, label: 'Accept the invitation' },
    ),
  }
}

/**
 * An invitation to join one site, sent by rbac's site invitations. One wording whether or not the address
 * has an account: the mail must not differ for the invitee in a way that matters, and nothing of it reaches
 * the person who invited.
 */
export function siteInvitationMail(input: {
  to: string
  inviterName: string
  siteName: string
  roleName: string
  link: string
}): MailMessage {
  const inviter = oneLine(input.inviterName)
  const site = oneLine(input.siteName)
  const role = oneLine(input.roleName, 100)
  return {
    to: input.to,
    subject: `You are invited to a site on ${PRODUCT}`,
    text: text([
      'Hello,',
      '',
      `${inviter} invited you to join the site “${site}” on ${PRODUCT} as ${role}. Open this link within 7 days to accept:`,
      '',
      input.link,
      '',
      'If you already have an account with this address, it joins the site as it is; otherwise you will choose a password to create one.',
      'If you do not know what this is about, ignore this message.',
    ]),
    html: page(
      [
        'Hello,',
        `${escapeHtml(inviter)} invited you to join the site “${escapeHtml(site)}” on ${PRODUCT} as ${escapeHtml(role)}. Open this link within 7 days to accept.`,
        'If you already have an account with this address, it joins the site as it is; otherwise you will choose a password to create one.',
        'If you do not know what this is about, ignore this message.',
      ],
      { href: input.link, label: 'Join the site' },
    ),
  }
}

/** Sent to the NEW address: following the link proves the person can read it. */
export function emailChangeMail(input: { to: string; name: string; link: string }): MailMessage {
  const name = oneLine(input.name)
  return {
    to: input.to,
    subject: `Confirm your new ${PRODUCT} email address`,
    text: text([
      `Hello ${name},`,
      '',
      `You asked to use this address for your ${PRODUCT} account. Open this link within 24 hours to confirm:`,
      '',
      input.link,
      '',
      'Until you do, your account keeps its current address. If you did not ask for this, ignore this message.',
    ]),
    html: page(
      [
        `Hello ${escapeHtml(name)},`,
        `You asked to use this address for your ${PRODUCT} account. Open this link within 24 hours to confirm.`,
        'Until you do, your account keeps its current address. If you did not ask for this, ignore this message.',
      ],
      { href: input.link, label: 'Confirm this address' },
    ),
  }
}

/** Sent to the OLD address once the change is done, so a hijacked account does not change silently. */
export function emailChangedNoticeMail(input: { to: string; name: string; newEmail: string }): MailMessage {
  const name = oneLine(input.name)
  const newEmail = oneLine(input.newEmail, 254)
  return {
    to: input.to,
    subject: `Your ${PRODUCT} email address was changed`,
    text: text([
      `Hello ${name},`,
      '',
      `The email address of your ${PRODUCT} account was changed to ${newEmail}. Messages about the account now go there.`,
      '',
      'If you did not make this change, contact your network administrator at once.',
    ]),
    html: page([
      `Hello ${escapeHtml(name)},`,
      `The email address of your ${PRODUCT} account was changed to ${escapeHtml(newEmail)}. Messages about the account now go there.`,
      'If you did not make this change, contact your network administrator at once.',
    ]),
  }
}
