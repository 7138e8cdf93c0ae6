import type { Config } from '../platform/config/index.ts'
import { metricsOptionsOf, metricsWarning } from '../platform/http/index.ts'

/**
 * What an operator must hear when a node starts: logged at warn level by `serve` and `worker`, and
 * printed in `serve`'s banner. `serving`: the node answers HTTP (`serve`), so its /metrics matters.
 */
export function startWarnings(
  config: Pick<Config, 'env' | 'smtpUrl' | 'metricsToken' | 'metricsAllowLoopback'>,
  { serving }: { serving: boolean },
): string[] {
  const warnings: string[] = []
  if (config.env === 'production' && !config.smtpUrl) {
    warnings.push(
      'No SMTP server is configured (COLOPHON_SMTP_URL): password-reset, invitation and email-change mail is kept in the outbox (GET /api/v1/mail/outbox) and never sent.',
    )
  }
  const metrics = serving ? metricsWarning(metricsOptionsOf(config)) : null
  if (metrics) warnings.push(metrics)
  return warnings
}
