import { describe, expect, it } from 'vitest'
import { focalCrop } from './images.crop.ts'

describe('focalCrop', () => {
  it('takes the largest rectangle of the asked shape, centred without a focal point', () => {
    expect(focalCrop({ width: 400, height: 200, aspect: 1 })).toEqual({
      left: 100,
      top: 0,
      width: 200,
      height: 200,
    })
    expect(focalCrop({ width: 200, height: 400, aspect: 2 })).toEqual({
      left: 0,
      top: 150,
      width: 200,
      height: 100,
    })
  })

  it('centres the focal point when the edges allow it', () => {
    expect(focalCrop({ width: 1000, height: 500, aspect: 1, focal: { x: 0.4, y: 0.5 } })).toEqual({
      left: 150,
      top: 0,
      width: 500,
      height: 500,
    })
  })

  it('pushes the rectangle back inside near an edge, keeping the focal point in it', () => {
    expect(focalCrop({ width: 400, height: 200, aspect: 1, focal: { x: 0.95, y: 0.1 } })).toEqual({
      left: 200,
      top: 0,
      width: 200,
      height: 200,
    })
    expect(focalCrop({ width: 400, height: 200, aspect: 1, focal: { x: 0, y: 1 } }).left).toBe(0)
  })

  it('keeps every focal point inside the crop, for any shape', () => {
    for (const aspect of [0.3, 0.75, 1, 16 / 9, 4]) {
      for (const x of [0, 0.13, 0.5, 0.87, 1]) {
        for (const y of [0, 0.29, 0.5, 0.71, 1]) {
          const c = focalCrop({ width: 640, height: 480, aspect, focal: { x, y } })
          expect(x * 640).toBeGreaterThanOrEqual(c.left)
          expect(x * 640).toBeLessThanOrEqual(c.left + c.width)
          expect(y * 480).toBeGreaterThanOrEqual(c.top)
          expect(y * 480).toBeLessThanOrEqual(c.top + c.height)
          expect(c.left + c.width).toBeLessThanOrEqual(640)
          expect(c.top + c.height).toBeLessThanOrEqual(480)
        }
      }
    }
  })

  it('clamps a focal point outside 0..1 and refuses a shape that is not a positive number', () => {
    expect(focalCrop({ width: 400, height: 200, aspect: 1, focal: { x: 7, y: -3 } }).left).toBe(200)
    expect(() => focalCrop({ width: 10, height: 10, aspect: 0 })).toThrow(RangeError)
    expect(() => focalCrop({ width: 10, height: 10, aspect: Number.NaN })).toThrow(RangeError)
  })

  it('never makes a side of zero for extreme shapes', () => {
    expect(focalCrop({ width: 10, height: 10, aspect: 1000 })).toMatchObject({ width: 10, height: 1 })
  })
})
