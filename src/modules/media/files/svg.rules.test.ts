import { describe, expect, it } from 'vitest'
import { cssProblem, drawingSize, hrefProblem, isHarmlessRemoval, unescapeCss } from './svg.rules.ts'

describe('svg rules: links', () => {
  it('lets only same-document fragments and raster pictures in <image> through', () => {
    expect(hrefProblem(' #logo ', 'use')).toBeUndefined()
    expect(hrefProblem('data:image/webp;base64,UklGRg==', 'image')).toBeUndefined()
    expect(hrefProblem('data:image/webp;base64,UklGRg==', 'feImage')).toBe('data_url')
    expect(hrefProblem('data:image/png;charset=x;base64,AA', 'image')).toBe('data_url')
    expect(hrefProblem('JaVaScRiPt:alert(1)', 'a')).toBe('script_url')
    expect(hrefProblem('vbscript:x', 'a')).toBe('script_url')
    expect(hrefProblem('logo.svg#a', 'use')).toBe('external_reference')
    expect(hrefProblem('//example.com/a', 'a')).toBe('external_reference')
  })
})

describe('svg rules: CSS', () => {
  it('reads CSS escapes as a CSS tokenizer does', () => {
    expect(unescapeCss('\\75 rl(x)')).toBe('url(x)')
    expect(unescapeCss('\\@import')).toBe('@import')
    expect(unescapeCss('\\0')).toBe('\ufffd')
  })

  it('allows url(#id) and refuses every other resource reference', () => {
    expect(cssProblem('fill: url(#g); stroke: url( "#h" )')).toBeUndefined()
    expect(cssProblem('.a { color: red }')).toBeUndefined()
    expect(cssProblem('fill: url(#g); mask: url(https://example.com/m)')).toBe('external_reference')
    expect(cssProblem('background: URL(x.png)')).toBe('external_reference')
    expect(cssProblem('background: image-set("x.png" 1x)')).toBe('external_reference')
    expect(cssProblem('src: src("x.woff")')).toBe('external_reference')
    expect(cssProblem('@IMPORT "x.css";')).toBe('external_reference')
    expect(cssProblem('\\/* url(https://example.com/x) */')).toBe('external_reference')
  })
})

describe('svg rules: what DOMPurify may remove', () => {
  it('tolerates comments, other vocabularies and namespace declarations, not SVG or HTML', () => {
    const inkscape = 'http://www.inkscape.org/namespaces/inkscape'
    expect(isHarmlessRemoval({ kind: 'element', nodeName: '#comment', namespaceURI: null })).toBe(true)
    expect(
      isHarmlessRemoval({ kind: 'element', nodeName: 'sodipodi:namedview', namespaceURI: inkscape }),
    ).toBe(true)
    expect(isHarmlessRemoval({ kind: 'attribute', localName: 'label', namespaceURI: inkscape })).toBe(true)
    expect(
      isHarmlessRemoval({ kind: 'attribute', localName: 'x', namespaceURI: 'http://www.w3.org/2000/xmlns/' }),
    ).toBe(true)
    expect(
      isHarmlessRemoval({ kind: 'element', nodeName: 'animate', namespaceURI: 'http://www.w3.org/2000/svg' }),
    ).toBe(false)
    expect(
      isHarmlessRemoval({
        kind: 'element',
        nodeName: 'iframe',
        namespaceURI: 'http://www.w3.org/1999/xhtml',
      }),
    ).toBe(false)
    expect(isHarmlessRemoval({ kind: 'attribute', localName: 'fill', namespaceURI: null })).toBe(false)
  })
})

describe('svg rules: drawing size', () => {
  it('reads plain numbers and px, fills a missing side from the viewBox, and gives up on other units', () => {
    expect(drawingSize({ width: '10.5px', height: ' 20 ', viewBox: null })).toEqual({
      width: 10.5,
      height: 20,
    })
    expect(drawingSize({ width: null, height: '30', viewBox: '0 0 200 100' })).toEqual({
      width: 60,
      height: 30,
    })
    expect(drawingSize({ width: '5cm', height: null, viewBox: '0,0,40,20' })).toEqual({
      width: 40,
      height: 20,
    })
    expect(drawingSize({ width: '5cm', height: '2cm', viewBox: null })).toBeUndefined()
    expect(drawingSize({ width: null, height: null, viewBox: '0 0 0 10' })).toBeUndefined()
  })
})
