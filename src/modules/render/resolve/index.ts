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
export {
  AUTHOR_ARCHIVE_SEGMENT,
  PAGE_SEGMENT,
  authorArchivePath,
  dateArchivePath,
  dateRangeOf,
  parseListingPath,
  listingPagePath,
  termArchivePath,
  typeArchivePath,
  type ListingFeed,
  type ListingPath,
  type ListingTarget,
} from './archive-paths.ts'
