import { describe, expect, it } from 'vitest'
import { imageHtml, isImageMedia, type ImageMedia } from './image-html.ts'

const variant = (width: number, format: string, crop = 'none') => ({
  url: `/media/m/v/${crop === 'square' ? `square-${width}-f5000x5000` : width}.${format === 'jpeg' ? 'jpg' : format}`,
  width,
  height: crop === 'square' ? width : Math.round(width * 0.75),
  format,
  crop,
})

const photo: ImageMedia = {
  url: '/media/m/photo.jpg',
  category: 'image',
  mimeType: 'image/jpeg',
  width: 1000,
  height: 750,
  alt: 'Gulls over the "pier" & <sea>',
  decorative: false,
  variants: ['avif', 'webp', 'jpeg'].flatMap((f) => [
    variant(320, f),
    variant(640, f),
    variant(320, f, 'square'),
  ]),
}

describe('imageHtml', () => {
  it('writes a picture: AVIF and WebP sources, the original format as the fallback with the full size', () => {
    const html = imageHtml(photo, { sizes: '50vw' })
    expect(html).toBe(
      '<picture>' +
        '<source type="image/avif" srcset="/media/m/v/320.avif 320w, /media/m/v/640.avif 640w" sizes="50vw">' +
        '<source type="image/webp" srcset="/media/m/v/320.webp 320w, /media/m/v/640.webp 640w" sizes="50vw">' +
        '<img src="/media/m/photo.jpg" srcset="/media/m/v/320.jpg 320w, /media/m/v/640.jpg 640w, /media/m/photo.jpg 1000w" sizes="50vw" width="1000" height="750" alt="Gulls over the &quot;pier&quot; &amp; &lt;sea&gt;" loading="lazy" decoding="async">' +
        '</picture>',
    )
  })

  it('takes the square crops, eager loading, a class and its own alt text when asked', () => {
    const html = imageHtml(photo, { crop: 'square', loading: 'eager', class: 'thumb', alt: '' })
    expect(html).toContain(
      '<img src="/media/m/v/square-320-f5000x5000.jpg" srcset="/media/m/v/square-320-f5000x5000.jpg 320w"',
    )
    expect(html).toContain('width="320" height="320" alt="" loading="eager" decoding="async" class="thumb">')
    expect(html).toContain('<source type="image/webp" srcset="/media/m/v/square-320-f5000x5000.webp 320w"')
    expect(html).not.toContain('640')
  })

  it('writes an empty alt for a decorative image, the lone img before variants exist, nothing for other files', () => {
    const bare = { ...photo, decorative: true, variants: [] }
    expect(imageHtml(bare)).toBe(
      '<img src="/media/m/photo.jpg" width="1000" height="750" alt="" loading="lazy" decoding="async">',
    )
    expect(imageHtml({ ...photo, category: 'pdf', mimeType: 'application/pdf' })).toBe('')
    expect(isImageMedia(photo)).toBe(true)
    expect(isImageMedia('not an item')).toBe(false)
    expect(isImageMedia({ url: 1 })).toBe(false)
  })
})
