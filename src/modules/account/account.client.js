// Runs in the browser on the pages emailed links open (see account.pages.ts). The token travels in the
// URL fragment: read it once, take it out of the address bar and history, send it with the form.
;(function () {
  const form = document.getElementById('account-form')
  const status = document.getElementById('account-status')
  const error = document.getElementById('account-error')
  if (!form || !status || !error) return
  const token = new URLSearchParams(location.hash.slice(1)).get('token')
  history.replaceState(null, '', location.pathname)
  if (!token) {
    form.hidden = true
    error.textContent = 'This link is incomplete. Open the link from your email again, or ask for a new one.'
    return
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    error.textContent = ''
    const body = { token }
    for (const input of form.querySelectorAll('input')) {
      if (input.value !== '' || input.required) body[input.name] = input.value
    }
    const button = form.querySelector('button')
    if (button) button.disabled = true
    try {
      const response = await fetch(form.dataset.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      })
      if (response.ok) {
        form.hidden = true
        status.textContent = form.dataset.success
        return
      }
      const reply = await response.json().catch(() => ({}))
      error.textContent = (reply.error && reply.error.message) || 'Something went wrong. Try again.'
    } catch {
      error.textContent = 'The server cannot be reached. Check your connection and try again.'
    } finally {
      if (button) button.disabled = false
    }
  })
})()
