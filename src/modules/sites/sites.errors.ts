import { defineError } from '../../platform/errors/index.ts'

export const SitesErrors = {
  notFound: defineError('COLOPHON_SITES_NOT_FOUND', 404, 'No such site.'),
}
