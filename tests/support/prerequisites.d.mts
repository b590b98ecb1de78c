/** Types of prerequisites.mjs (a plain Node script, so npm's `pretest` runs it without a TypeScript loader). */
export declare const CHROMIUM_PATH: string
export declare const REDIS_URL: string
export declare function redisAnswers(url?: string): Promise<boolean>
export declare function installMissing(log?: (line: string) => void): Promise<string[]>
export declare function startRedisIfNeeded(): Promise<() => Promise<void>>
