import { Ajv, type Options, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, FastifySchema } from 'fastify'
import buildSerializer from 'fast-json-stringify'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * Request validation with two Ajv instances. Query strings, path parameters and headers are text on the
 * wire, so they are coerced to the declared types. Bodies are JSON and are taken literally: `"true"` is
 * not a boolean and `"5"` is not a number, which closes a class of type-confusion attacks. Unknown body
 * properties are refused (schemas declare `additionalProperties: false`), never silently dropped.
 *
 * Each route's validators and reply serializers (Fastify's own, fast-json-stringify) are compiled on the
 * route's first request rather than at start: compiling them for every route, and again for the HEAD
 * route beside each GET, took about 1.8 s of every start (ADR 0013), mostly for routes a node may not
 * serve for hours. The first request to a route pays a few milliseconds instead.
 */
const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false }

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options })
  addFormats(ajv)
  return ajv
}

/** Ajv's validate function, compiled when first called; `errors` follows the compiled one's. */
function validatorOnFirstUse(compile: () => ValidateFunction) {
  let compiled: ValidateFunction | undefined
  const validate = (data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    compiled ??= compile()
    const valid = compiled(data, context)
    validate.errors = compiled.errors
    return valid
  }
  validate.errors = null as ValidateFunction['errors']
  // Fastify hands the parent object (so Ajv can replace a coerced or defaulted root value) only to a
  // function carrying Ajv's `schemaEnv`; its value is not read.
  validate.schemaEnv = true
  return validate
}

export function registerValidation(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false })
  const coercing = makeAjv({ coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return validatorOnFirstUse(() => ajv.compile(schema as FastifySchema & object))
  })
  // What Fastify's default serializer compiler does (no shared schemas are added with addSchema here).
  app.setSerializerCompiler(({ schema }) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data: unknown) => (serialize ??= buildSerializer(schema as object))(data)
  })
}
