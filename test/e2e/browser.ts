import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium, headless, with nothing that reaches beyond the machine. */
export const CHROMIUM = process.env.COLOPHON_TEST_CHROMIUM ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
