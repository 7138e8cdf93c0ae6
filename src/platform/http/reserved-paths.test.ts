import { describe, expect, it } from 'vitest'
import { reservedAreaOf } from './reserved-paths.ts'

describe('reserved areas', () => {
  it.each([
    ['/api', 'api'],
    ['/api/v1/setup?x=1', 'api'],
    ['//api/v1/setup', 'api'],
    ['/API/V1/SETUP', 'api'],
    ['/%61pi/v1', 'api'],
    ['/api%2Fv1/setup', 'api'],
    ['/api%5Cv1', 'api'],
    ['/admin', 'admin'],
    ['/Admin/sites', 'admin'],
    ['/api/v1/sites/:site/entries', 'api'],
  ])('%s is in the %s area', (url, area) => {
    expect(reservedAreaOf(url)).toBe(area)
  })

  it.each(['/', '/apis', '/about/api', '/administration', '/%ZZapi', '/2026/03/api'])('%s is not', (url) => {
    expect(reservedAreaOf(url)).toBeNull()
  })
})
