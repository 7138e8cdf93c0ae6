/**
 * What a media file is, the image work on it, SVG sanitising and the zip-bomb checks of office
 * documents. Pure functions over bytes and local files: no database, no HTTP. The public surface of
 * media/files/; see README.md.
 */
export { MediaFileErrors } from './files.errors.ts'
export {
  DEFAULT_ALLOWED_CATEGORIES,
  MARKUP_SCANNED_CATEGORIES,
  MEDIA_CATEGORIES,
  MEDIA_CATEGORY_LIST,
  MEDIA_TYPES,
  isMediaCategory,
  mediaTypeOf,
  type MediaCategory,
  type MediaType,
} from './media-types.ts'
export {
  MarkupScanner,
  SNIFF_HEAD_BYTES,
  detectMediaType,
  findMarkup,
  mediaTypeError,
  readFileHead,
  type MediaTypeAccepted,
  type MediaTypeRefusal,
  type MediaTypeRefusalReason,
  type MediaTypeResult,
} from './sniff.ts'
export {
  IMAGE_TIMEOUT_SECONDS,
  MAX_INPUT_PIXELS,
  MAX_SIDE,
  cleanOriginal,
  inspectImage,
  limitImageMemory,
  makeVariant,
  placeholderOf,
  type ImageFormat,
  type InspectedImage,
  type Placeholder,
  type VariantFormat,
  type WrittenImage,
  type WrittenVariant,
} from './images.ts'
export { focalCrop, type CropRect, type FocalPoint } from './images.crop.ts'
export { SVG_LIMITS, sanitizeSvg, type SvgLimits, type SvgRefusalReason, type SvgResult } from './svg.ts'
export { ZIP_LIMITS, inspectZipContainer, type ZipLimits, type ZipRefusalReason } from './zip-container.ts'
