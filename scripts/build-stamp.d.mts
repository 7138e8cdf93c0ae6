/** Types of build-stamp.mjs (plain JavaScript so that `npm start` loads no TypeScript; see there). */

/** The checkout's root folder. */
export declare const PROJECT_ROOT: string
/** `<PROJECT_ROOT>/dist`: where `npm start` builds to and runs from. */
export declare const DEFAULT_OUTDIR: string
/** The file in the output folder that records which inputs the build was made from. */
export declare const STAMP_FILE: string

/** Hash of `path size mtime` for every input file under `root` (default PROJECT_ROOT). */
export declare function fingerprintInputs(root?: string): string

/** True when `outdir` (default `<root>/dist`) has no build, or one made from inputs that changed since. */
export declare function isBuildStale(options?: { root?: string; outdir?: string }): boolean

/** Records which inputs a finished build was made from (written last, atomically). */
export declare function writeStamp(outdir: string, fingerprint: string): void
