/**
 * Where to cut a crop of a given shape from an image so that its focal point stays inside and as close to
 * the middle as the image's edges allow. Pure arithmetic on the oriented image (as a reader sees it).
 */

/** A point as fractions of the width and height: `{ x: 0, y: 0 }` is the top left corner. */
export interface FocalPoint {
  x: number
  y: number
}

export interface CropRect {
  left: number
  top: number
  width: number
  height: number
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value))

/**
 * The largest rectangle of `aspect` (width ÷ height) inside a `width` × `height` image, moved so `focal`
 * (the centre when missing) is as central as possible. The rectangle spans the whole image along one
 * side; along the other it is pushed back inside when centring would cross an edge, which keeps the
 * focal point inside it.
 */
export function focalCrop(options: {
  width: number
  height: number
  aspect: number
  focal?: FocalPoint | undefined
}): CropRect {
  const { width, height, aspect } = options
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new RangeError('aspect must be a positive number')
  const wider = width / height > aspect
  const cropWidth = wider ? clamp(Math.round(height * aspect), 1, width) : width
  const cropHeight = wider ? height : clamp(Math.round(width / aspect), 1, height)
  const fx = clamp(options.focal?.x ?? 0.5, 0, 1)
  const fy = clamp(options.focal?.y ?? 0.5, 0, 1)
  return {
    left: clamp(Math.round(fx * width - cropWidth / 2), 0, width - cropWidth),
    top: clamp(Math.round(fy * height - cropHeight / 2), 0, height - cropHeight),
    width: cropWidth,
    height: cropHeight,
  }
}
