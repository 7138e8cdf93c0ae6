export {
  FEED_CONTENT_TYPES,
  FEED_WRITERS,
  atomOf,
  jsonFeedOf,
  rssOf,
  xmlText,
  type FeedFormat,
  type FeedItem,
  type FeedModel,
} from './feed-formats.ts'
