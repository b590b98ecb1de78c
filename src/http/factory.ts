import { createFactory } from 'hono/factory'
import type { AppEnv } from './app-env.ts'

/** Every feature's sub-app and middleware is built from this factory. */
export const factory = createFactory<AppEnv>()
