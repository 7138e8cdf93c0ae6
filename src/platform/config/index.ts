export {
  CONFIG_KEYS,
  ConfigError,
  configFor,
  loadConfig,
  loadConfigFromProcess,
  redactConfig,
} from './config.ts'
export type { LoadConfigInput, LoadedConfig } from './config.ts'
export type { Config, ConfigKey } from './config.schema.ts'
