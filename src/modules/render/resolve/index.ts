export { bySpecificity, matchPermalink, templateSpecificity, type PermalinkMatch } from './permalink-match.ts'
export {
  MAX_PAGE_NUMBER,
  MAX_PATH_LENGTH,
  parseRequestPath,
  pathOf,
  splitPageNumber,
  type PathRefusal,
  type RequestPath,
} from './request-path.ts'
