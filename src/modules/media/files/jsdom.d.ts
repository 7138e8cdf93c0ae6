// jsdom ships no typings of its own, and @types/jsdom would bring the browser's DOM typings into the
// type check of the whole server. svg.ts needs only the constructor; svg.dom.ts types the window.
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string)
    readonly window: unknown
  }
}
