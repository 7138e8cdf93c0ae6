/**
 * The photos of the media benchmark, written by a process of their own (`node bench/media-photos.ts <dir>`
 * prints them as JSON) so that making them never counts in the benchmark's RSS: a ~10 MB JPEG of random
 * pixels (it does not compress), a typical 2,000 × 1,500 photo, and a small one for the warm-up. The
 * pixels come from a fixed sequence, so every run uploads the same files.
 */
import path from 'node:path'
import sharp from 'sharp'

const MiB = 1024 * 1024
const BIG_PHOTO = { min: 9.5 * MiB, max: 11 * MiB, target: 10.2 * MiB }

export interface Photo {
  file: string
  width: number
  height: number
  bytes: number
}

export interface Photos {
  warmUp: Photo
  big: Photo
  typical: Photo
}

/** Fills `bytes` with a fixed pseudo-random sequence (xorshift32): the same photos on every run. */
function fillNoise(bytes: Uint8Array, seed: number): void {
  let x = seed >>> 0 || 1
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
}

/** Random pixels at quality 95 (4:2:0, as cameras write), resized until the file is 9.5–11 MB. */
async function writeBigPhoto(file: string): Promise<Photo> {
  let width = 3000
  let height = 2200
  for (let attempt = 0; attempt < 5; attempt++) {
    const pixels = Buffer.alloc(width * height * 3)
    fillNoise(pixels, 0x5eed)
    const info = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 95 })
      .toFile(file)
    if (info.size >= BIG_PHOTO.min && info.size <= BIG_PHOTO.max)
      return { file, width, height, bytes: info.size }
    const scale = Math.sqrt(BIG_PHOTO.target / info.size)
    width = Math.round(width * scale)
    height = Math.round(height * scale)
  }
  throw new Error('could not make a 9.5–11 MB JPEG')
}

/** Soft shapes (a small random image enlarged) with grain on top, at quality 85: like a phone photo. */
async function writeTypicalPhoto(file: string, width: number, height: number, seed: number): Promise<Photo> {
  const coarse = Buffer.alloc(32 * 24 * 3)
  fillNoise(coarse, seed)
  const { data } = await sharp(coarse, { raw: { width: 32, height: 24, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const grain = Buffer.alloc(data.length)
  fillNoise(grain, seed + 1)
  for (let i = 0; i < data.length; i++)
    data[i] = Math.min(255, Math.max(0, (data[i] as number) + (((grain[i] as number) % 25) - 12)))
  const info = await sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toFile(file)
  return { file, width, height, bytes: info.size }
}

/** Writes the three photos into `dir`; run in a child process (see the header). */
export async function writePhotos(dir: string): Promise<Photos> {
  return {
    warmUp: await writeTypicalPhoto(path.join(dir, 'warm-up.jpg'), 800, 600, 7),
    big: await writeBigPhoto(path.join(dir, 'big.jpg')),
    typical: await writeTypicalPhoto(path.join(dir, 'typical.jpg'), 2000, 1500, 11),
  }
}

if (import.meta.main) process.stdout.write(JSON.stringify(await writePhotos(process.argv[2] as string)))
