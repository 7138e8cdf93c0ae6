import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, FastifySchema } from 'fastify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * Request validation with two Ajv instances. Query strings, path parameters and headers are text on the
 * wire, so they are coerced to the declared types. Bodies are JSON and are taken literally: `"true"` is
 * not a boolean and `"5"` is not a number, which closes a class of type-confusion attacks. Unknown body
 * properties are refused (schemas declare `additionalProperties: false`), never silently dropped.
 */
const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false }

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options })
  addFormats(ajv)
  return ajv
}

export function registerValidation(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false })
  const coercing = makeAjv({ coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as FastifySchema & object)
  })
}
